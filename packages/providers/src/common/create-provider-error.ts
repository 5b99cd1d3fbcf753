import {
  type AttemptOutcome,
  ProviderError,
  type QuotaExhaustion,
  type RateLimitHint,
} from '@switchyard/spec';
import { isEmptyRateLimitHint } from './parse-rate-limit-headers.ts';
import type { HttpResponse } from './post-json.ts';
import { retryAfterFromResets } from './retry-after-from-resets.ts';

/** How much of the raw response body an error keeps for the attempt log. */
export const RESPONSE_BODY_LIMIT = 2_048;
/** Shorter "keys" (Ollama's placeholder `ollama`) would redact ordinary words. */
const MIN_REDACTED_KEY_LENGTH = 8;

/** Everything known about one answer from a provider. */
export interface ResponseContext {
  provider: string;
  apiKey?: string;
  response: HttpResponse;
  rateLimit: RateLimitHint;
}

export interface ProviderFailure {
  outcome: AttemptOutcome;
  /** What went wrong, without the provider id (it is prefixed). */
  detail: string;
  /** A wait the body asked for (Gemini's RetryInfo); Retry-After headers win over it. */
  retryAfterMs?: number;
  /** Which quota ran out, when the answer said so. */
  exhausted?: QuotaExhaustion;
  cause?: unknown;
}

/**
 * The `ProviderError` for an answer that is a failure. It carries the status, the rate-limit
 * headers and the first 2 KB of the body; the API key is redacted wherever the provider
 * echoed it. A 429 without Retry-After gets its wait from the quota reset headers.
 */
export function createProviderError(context: ResponseContext, failure: ProviderFailure): ProviderError {
  const { provider, response, rateLimit } = context;
  const isRateLimit = failure.outcome === 'rate_limited' || failure.outcome === 'quota_exhausted';
  const retryAfterMs =
    rateLimit.retryAfterMs ??
    failure.retryAfterMs ??
    (isRateLimit && response.status === 429 ? retryAfterFromResets(rateLimit) : undefined);
  const redact = createRedactor(context.apiKey);

  return new ProviderError({
    outcome: failure.outcome,
    provider,
    message: redact(`${provider}: HTTP ${response.status} ${failure.outcome}: ${failure.detail}`),
    statusCode: response.status,
    retryAfterMs,
    rateLimit: isEmptyRateLimitHint(rateLimit) ? undefined : rateLimit,
    exhausted: failure.exhausted,
    responseBody: redact(response.text).slice(0, RESPONSE_BODY_LIMIT),
    cause: failure.cause,
  });
}

function createRedactor(apiKey: string | undefined): (text: string) => string {
  if (!apiKey || apiKey.length < MIN_REDACTED_KEY_LENGTH) return (text) => text;
  return (text) => text.split(apiKey).join('[redacted]');
}

/** A short, single-line form of a provider's error message for `ProviderError.message`. */
export function summarize(text: string | undefined, fallback: string): string {
  const line = text?.replace(/\s+/g, ' ').trim();
  if (!line) return fallback;
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
