import type { AttemptOutcome } from './attempt-outcome.ts';
import type { RateLimitHint } from './rate-limit-hint.ts';

const marker = Symbol.for('switchyard.ProviderError');

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
  readonly responseBody?: string;

  constructor(options: ProviderErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.outcome = options.outcome;
    this.provider = options.provider;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
    this.rateLimit = options.rateLimit;
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
    };
  }
}
