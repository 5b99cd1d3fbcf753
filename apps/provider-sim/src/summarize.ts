import { charactersForTokens, countTokens } from './count-tokens.ts';

export interface Summary {
  text: string;
  outputTokens: number;
  /** True when the natural summary did not fit and was cut at exactly `maxTokens`. */
  reachedMaxTokens: boolean;
}

const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by for from had has have he her his i if in into is it its ' +
    'me my no not of on or our she so that the their them then there these they this those to ' +
    'up was we were what when which who will with would you your do does did can could should'
  ).split(' '),
);

const SENTENCE_BREAK = /(?<=[.!?])\s+|\n+/;
const WORD = /[\p{L}\p{N}']+/gu;
const EMPTY_INPUT_REPLY = 'There is no text to summarize.';
const CACHE_SIZE = 512;
const cache = new Map<string, Summary>();

/**
 * A deterministic extractive summary, standing in for a model's answer.
 * Sentences are scored by the mean corpus frequency of their words (stop words
 * ignored); the best third of them (at least one) is kept in original order. When
 * that does not fit in `maxTokens`, it is cut at exactly `maxTokens` tokens, as a
 * real model stops at its output budget.
 */
export function summarize(text: string, maxTokens: number): Summary {
  const key = `${maxTokens}\u0000${text}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const summary = computeSummary(text, maxTokens);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, summary);
  return summary;
}

function computeSummary(text: string, maxTokens: number): Summary {
  const sentences = text
    .split(SENTENCE_BREAK)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
  const natural = sentences.length === 0 ? EMPTY_INPUT_REPLY : pickSentences(sentences).join(' ');
  const tokens = countTokens(natural);
  if (tokens <= maxTokens) return { text: natural, outputTokens: tokens, reachedMaxTokens: false };
  const cut = natural.slice(0, charactersForTokens(maxTokens));
  return { text: cut, outputTokens: countTokens(cut), reachedMaxTokens: true };
}

function pickSentences(sentences: string[]): string[] {
  const frequency = new Map<string, number>();
  const sentenceWords = sentences.map((sentence) => {
    const words = (sentence.toLowerCase().match(WORD) ?? []).filter((word) => !STOP_WORDS.has(word));
    for (const word of words) frequency.set(word, (frequency.get(word) ?? 0) + 1);
    return words;
  });
  const scored = sentenceWords.map((words, index) => {
    let total = 0;
    for (const word of words) total += frequency.get(word) ?? 0;
    return { index, score: words.length === 0 ? 0 : total / words.length };
  });
  scored.sort((left, right) => right.score - left.score || left.index - right.index);
  const keep = Math.max(1, Math.ceil(sentences.length / 3));
  return scored
    .slice(0, keep)
    .map((entry) => entry.index)
    .sort((left, right) => left - right)
    .map((index) => sentences[index]!);
}

/** Cuts an answer short on purpose (the injected `truncated` failure): strictly fewer tokens than `maxTokens`. */
export function truncateSummary(summary: Summary, maxTokens: number): Summary {
  const limit = Math.min(Math.floor(summary.text.length / 2), charactersForTokens(maxTokens - 1));
  const text = summary.text.slice(0, Math.max(0, limit));
  return { text, outputTokens: countTokens(text), reachedMaxTokens: true };
}
