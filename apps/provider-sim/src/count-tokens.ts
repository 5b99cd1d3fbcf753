/**
 * The simulator's tokenizer: a deterministic approximation of one token per four
 * characters, `ceil(text.length / 4)`, where length counts UTF-16 code units.
 * Applied per message (and per system prompt), so a request's input tokens are the
 * sum over its messages. Real tokenizers differ; what matters here is that the
 * simulator, its tests and the broker's estimates all agree on one rule.
 */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The longest prefix length (in characters) that still fits in `tokens` tokens. */
export function charactersForTokens(tokens: number): number {
  return Math.max(0, tokens) * 4;
}
