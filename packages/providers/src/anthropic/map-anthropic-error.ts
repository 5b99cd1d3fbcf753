import type { AttemptOutcome, ProviderError, QuotaExhaustion } from '@switchyard/spec';
import { createProviderError, type ResponseContext, summarize } from '../common/create-provider-error.ts';
import { findExhaustedQuota, isLongScope, windowNamedIn } from '../common/find-exhausted-quota.ts';
import { isContextLengthMessage } from '../common/is-context-length-message.ts';
import { mapHttpStatus, mayBeContextLength } from '../common/map-http-status.ts';
import { readAnthropicError } from './anthropic-error.ts';

/**
 * Billing and spend caps, which do not lift within minutes: "Your credit balance is too low
 * to access the Anthropic API" (a 400) and "You have reached your specified API usage limits".
 */
const BILLING = /credit balance|usage limits?|spend(?:ing)? limit|billing/i;
/** A spend limit names the day access comes back: "You will regain access on 2026-01-01 at 00:00 UTC." */
const REGAIN_ACCESS = /regain access on (\d{4}-\d{2}-\d{2}) at (\d{2}:\d{2}) UTC/i;

/** The error for a non-2xx Messages API answer. */
export function mapAnthropicError(context: ResponseContext): ProviderError {
  const { status, text } = context.response;
  const error = readAnthropicError(text);
  let outcome = classify(status, error?.type, error?.message);
  const exhausted = exhaustionOf(context, outcome, error?.message);
  if (exhausted && outcome === 'rate_limited' && isLongScope(exhausted.scope)) outcome = 'quota_exhausted';
  return createProviderError(context, {
    outcome,
    detail: summarize(
      error ? `${error.type}: ${error.message}` : undefined,
      `body was ${text.trim() === '' ? 'empty' : 'not an Anthropic error'}`,
    ),
    ...(exhausted ? { exhausted } : {}),
  });
}

function classify(status: number, type: string | undefined, message: string | undefined): AttemptOutcome {
  if (type === 'overloaded_error' || type === 'api_error') return 'server_error';
  if (message !== undefined && BILLING.test(message) && status >= 400 && status < 500 && status !== 401) {
    return 'quota_exhausted';
  }
  if (type === 'request_too_large') return 'context_length_exceeded';
  if (mayBeContextLength(status) && isContextLengthMessage(message)) return 'context_length_exceeded';
  if (type === 'authentication_error' || type === 'permission_error') return 'authentication_failed';
  if (type === 'rate_limit_error') return 'rate_limited';
  return mapHttpStatus(status);
}

/**
 * Which quota ran out. Billing: a spend limit that names when access comes back is `month`
 * with that instant, a credit balance `credits`. A rate limit: the spent quota in the
 * `anthropic-ratelimit-*-remaining`/`-reset` headers (RFC 3339 resets), its scope from how far
 * the reset is (Anthropic's limits are per minute; more than a minute away is a longer cap)
 * unless the message names the window.
 */
function exhaustionOf(
  context: ResponseContext,
  outcome: AttemptOutcome,
  message: string | undefined,
): QuotaExhaustion | undefined {
  const { receivedAt, headers } = context.response;
  if (outcome === 'quota_exhausted') {
    const regain = message === undefined ? null : REGAIN_ACCESS.exec(message);
    const resetAt = regain ? Date.parse(`${regain[1]}T${regain[2]}:00Z`) : Number.NaN;
    return Number.isNaN(resetAt) ? { scope: 'credits' } : { scope: 'month', resetAt };
  }
  if (outcome !== 'rate_limited') return undefined;
  const fromHeaders = findExhaustedQuota(headers, receivedAt);
  const scope = windowNamedIn(message) ?? fromHeaders?.scope;
  if (scope === undefined) return undefined;
  const exhaustion: QuotaExhaustion = { scope };
  const retryAfterMs = context.rateLimit.retryAfterMs;
  const resetAt =
    fromHeaders?.resetAt ?? (retryAfterMs === undefined ? undefined : receivedAt + retryAfterMs);
  if (resetAt !== undefined) exhaustion.resetAt = resetAt;
  return exhaustion;
}
