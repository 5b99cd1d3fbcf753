import type { TokenUsage } from '@switchyard/spec';
import type { ModelConfig } from './schema.ts';

/** A model's price: USD per million tokens of each kind. */
export type ModelPrice = ModelConfig['price'];

const PER_MILLION = 1e6;

/**
 * What one answer cost in USD, from the provider's own usage fields. Input tokens read from the
 * prompt cache are billed at `cachedInput`, those written to it at `cacheWrite` (both `input`
 * when the price does not set them), the rest of the input at `input`, and every output token,
 * reasoning included, at `output`: all three providers bill reasoning as output, and
 * `outputTokens` already counts it. Pure: no rounding, no side effects.
 */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  // A provider reporting more cached tokens than input (never seen) is billed no negative input.
  const uncached = Math.max(0, usage.inputTokens - cached - written);
  const dollarsPerMillion =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    usage.outputTokens * price.output;
  return dollarsPerMillion / PER_MILLION;
}
