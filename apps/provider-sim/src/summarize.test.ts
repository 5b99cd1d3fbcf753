import { describe, expect, it } from 'vitest';
import { countTokens } from './count-tokens.ts';
import { summarize, truncateSummary } from './summarize.ts';
import { ARTICLE } from './test-support.ts';

describe('countTokens', () => {
  it('is ceil(characters / 4)', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('abc')).toBe(1);
    expect(countTokens('abcd')).toBe(1);
    expect(countTokens('abcde')).toBe(2);
  });
});

describe('summarize', () => {
  const sentences = ARTICLE.split(/(?<=\.)\s+/);

  it('is deterministic and made of whole input sentences, in input order', () => {
    const first = summarize(ARTICLE, 256);
    expect(summarize(`${ARTICLE}`, 256)).toEqual(first);
    expect(first.reachedMaxTokens).toBe(false);
    const picked = first.text.split(/(?<=\.)\s+/);
    expect(picked.length).toBe(Math.ceil(sentences.length / 3));
    const positions = picked.map((sentence) => sentences.indexOf(sentence));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((left, right) => left - right)).toEqual(positions);
    expect(first.outputTokens).toBe(countTokens(first.text));
  });

  it('prefers sentences on the text’s main topic over filler', () => {
    const { text } = summarize(ARTICLE, 256);
    expect(text).not.toContain('Lunch was served');
    expect(text).not.toContain('The weather');
  });

  it('stops at exactly max_tokens when the summary does not fit', () => {
    const summary = summarize(ARTICLE, 10);
    expect(summary).toMatchObject({ outputTokens: 10, reachedMaxTokens: true });
    expect(summarize(ARTICLE, 256).text.startsWith(summary.text)).toBe(true);
  });

  it('truncates to strictly fewer tokens than max_tokens', () => {
    for (const maxTokens of [1, 2, 10, 256]) {
      const truncated = truncateSummary(summarize(ARTICLE, maxTokens), maxTokens);
      expect(truncated.outputTokens).toBeLessThan(maxTokens);
      expect(truncated.reachedMaxTokens).toBe(true);
    }
  });
});
