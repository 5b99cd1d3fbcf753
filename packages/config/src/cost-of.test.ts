import type { TokenUsage } from '@switchyard/spec';
import { describe, expect, it } from 'vitest';
import { costOf, type ModelPrice } from './cost-of.ts';

// Prices per million tokens, shaped like each provider's published ones.
const GPT_4_1_MINI: ModelPrice = { input: 0.4, output: 1.6, cachedInput: 0.1 };
const CLAUDE_HAIKU_4_5: ModelPrice = { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 };
const GEMINI_2_5_FLASH: ModelPrice = { input: 0.3, output: 2.5, cachedInput: 0.03 };
const NO_CACHE_PRICE: ModelPrice = { input: 0.28, output: 0.42 };

describe('costOf', () => {
  it.each<[string, TokenUsage, ModelPrice, number]>([
    [
      'plain usage: input and output at their prices',
      { inputTokens: 1_000_000, outputTokens: 1_000_000 },
      NO_CACHE_PRICE,
      0.28 + 0.42,
    ],
    [
      // The adapters' fixture: prompt_tokens 2048 (1920 cached), completion_tokens 522 (448 reasoning).
      'OpenAI: cached_tokens at cachedInput, the rest of prompt_tokens at input, reasoning inside completion_tokens at output',
      { inputTokens: 2_048, outputTokens: 522, cachedInputTokens: 1_920, reasoningTokens: 448 },
      GPT_4_1_MINI,
      (128 * 0.4 + 1_920 * 0.1 + 522 * 1.6) / 1e6,
    ],
    [
      // input_tokens 42 + cache_creation 512 + cache_read 3072 = 3626 input tokens.
      'Anthropic: cache reads at cachedInput, cache writes at cacheWrite, the rest at input',
      { inputTokens: 3_626, outputTokens: 96, cachedInputTokens: 3_072, cacheWriteTokens: 512 },
      CLAUDE_HAIKU_4_5,
      (42 * 1 + 3_072 * 0.1 + 512 * 1.25 + 96 * 5) / 1e6,
    ],
    [
      // promptTokenCount 4110 (4096 cached), candidates 11 + thoughts 285.
      'Gemini: cachedContentTokenCount at cachedInput, thoughts billed as output',
      { inputTokens: 4_110, outputTokens: 296, cachedInputTokens: 4_096, reasoningTokens: 285 },
      GEMINI_2_5_FLASH,
      (14 * 0.3 + 4_096 * 0.03 + 296 * 2.5) / 1e6,
    ],
    [
      'a price without cache prices bills cached input and cache writes at input',
      { inputTokens: 3_626, outputTokens: 96, cachedInputTokens: 3_072, cacheWriteTokens: 512 },
      NO_CACHE_PRICE,
      (3_626 * 0.28 + 96 * 0.42) / 1e6,
    ],
    [
      'cache writes fall back to input when only cachedInput is priced',
      { inputTokens: 1_000, outputTokens: 0, cacheWriteTokens: 1_000 },
      GPT_4_1_MINI,
      (1_000 * 0.4) / 1e6,
    ],
    ['a free model costs nothing', { inputTokens: 5_000, outputTokens: 700 }, { input: 0, output: 0 }, 0],
    [
      'more cached tokens than input (a provider miscounting) bills no negative input',
      { inputTokens: 10, outputTokens: 0, cachedInputTokens: 20 },
      GPT_4_1_MINI,
      (20 * 0.1) / 1e6,
    ],
  ])('%s', (_name, usage, price, expected) => {
    expect(costOf(usage, price)).toBeCloseTo(expected, 12);
  });
});
