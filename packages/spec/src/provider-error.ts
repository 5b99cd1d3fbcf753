import type { AttemptOutcome } from './attempt-outcome.ts';
import type { RateLimitHint } from './rate-limit-hint.ts';

const marker = Symbol.for('switchyard.ProviderError');

/** How long a quota that ran out stays out: the window it counts over, or `credits` (no wait helps). */
export const EXHAUSTION_SCOPES = ['minute', 'day', 'month', 'credits'] as const;
export type ExhaustionScope = (typeof EXHAUSTION_SCOPES)[number];

/**
 * Which of the provider's quotas ran out, as the provider's own answer said it.
 * - `minute`: a short window (per minute, or a token bucket); with `rate_limited`. Waiting cures it.
 * - `day`: a daily cap (Gemini `...PerDay...`, Groq RPD/TPD, OpenRouter `free-models-per-day`,
 *   any exhausted quota whose reset is more than a minute away); with `quota_exhausted`.
 * - `month`: a monthly cap or spend limit; with `quota_exhausted`.
 * - `credits`: billing (OpenAI `insufficient_quota`, a 402, Anthropic's credit balance, a Gemini
 *   limit of 0); with `quota_exhausted`. Out until the configuration changes or an operator clears it.
 */
export interface QuotaExhaustion {
  scope: ExhaustionScope;
  /**
   * When the quota comes back, in epoch milliseconds: from the reset headers, Gemini's
   * documented reset (midnight America/Los_Angeles for a daily cap) or the wait the provider
   * asked for. Absent when unknown, and always for `credits`.
   */
  resetAt?: number;
  /** The model whose quota ran out, when the quota is per model (Gemini names it). */
  model?: string;
}

export interface ProviderErrorOptions {
  outcome: AttemptOutcome;
  message: string;
  /** Provider id from the configuration. */
  provider: string;
  /** HTTP status, when the provider answered. */
  statusCode?: number;
  /** How long the provider asked us to wait (Retry-After, retry-after-ms, RetryInfo). */
  retryAfterMs?: number;
  /** Quota state the provider reported in its headers. */
  rateLimit?: RateLimitHint;
  /**
   * Which quota ran out, when the provider's answer said so (set with `rate_limited` and
   * `quota_exhausted`; absent when the answer did not name a quota).
   */
  exhausted?: QuotaExhaustion;
  /** The start of the raw response body, for the attempt log. Never holds request headers. */
  responseBody?: string;
  cause?: unknown;
}

/**
 * The one error type adapters throw. It carries an attempt outcome from the
 * taxonomy, so the broker never compares status codes or messages.
 * `isInstance` checks a `Symbol.for` marker, so it works across duplicate
 * copies of this package.
 */
export class ProviderError extends Error {
  readonly [marker] = true;
  readonly outcome: AttemptOutcome;
  readonly provider: string;
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
  readonly rateLimit?: RateLimitHint;
  readonly exhausted?: QuotaExhaustion;
  readonly responseBody?: string;

  constructor(options: ProviderErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.outcome = options.outcome;
    this.provider = options.provider;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
    this.rateLimit = options.rateLimit;
    if (options.exhausted) this.exhausted = options.exhausted;
    this.responseBody = options.responseBody;
  }

  static isInstance(error: unknown): error is ProviderError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /** A plain object for logs and the attempt history. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      outcome: this.outcome,
      provider: this.provider,
      message: this.message,
      statusCode: this.statusCode,
      retryAfterMs: this.retryAfterMs,
      ...(this.exhausted ? { exhausted: this.exhausted } : {}),
    };
  }
}
