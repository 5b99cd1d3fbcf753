import {
  type AttemptOutcome,
  nextMidnight,
  type ProviderError,
  type QuotaExhaustion,
} from '@switchyard/spec';
import { createProviderError, type ResponseContext, summarize } from '../common/create-provider-error.ts';
import { isContextLengthMessage } from '../common/is-context-length-message.ts';
import { mapHttpStatus, mayBeContextLength } from '../common/map-http-status.ts';

import { isRecord, optionalString } from '../common/parse-json-body.ts';
import { parseResetDuration } from '../common/parse-reset-duration.ts';
import { detailsOfType, type GeminiErrorBody, readGeminiError } from './gemini-error.ts';

/** Gemini answers a wrong or expired key with a 400 INVALID_ARGUMENT. */
const BAD_API_KEY = /API key (?:not valid|expired|not found)/i;

/** Gemini's daily quotas reset at midnight Pacific time (its rate-limit documentation). */
const GEMINI_DAY_ZONE = 'America/Los_Angeles';

/** The error for a non-2xx generateContent answer. */
export function mapGeminiError(context: ResponseContext): ProviderError {
  const { status, text, receivedAt } = context.response;
  const error = readGeminiError(text);
  const retryAfterMs = error ? retryDelayOf(error) : undefined;
  const exhausted = error && status === 429 ? exhaustionOf(error, receivedAt, retryAfterMs) : undefined;
  return createProviderError(context, {
    outcome: error ? classify(status, error, exhausted) : mapHttpStatus(status),
    detail: summarize(
      error ? [error.status, error.message].filter(Boolean).join(': ') : undefined,
      `body was ${text.trim() === '' ? 'empty' : 'not a Gemini error'}`,
    ),
    retryAfterMs,
    ...(exhausted ? { exhausted } : {}),
  });
}

function classify(
  status: number,
  error: GeminiErrorBody['error'],
  exhausted: QuotaExhaustion | undefined,
): AttemptOutcome {
  if (status === 400 && (hasErrorReason(error, /^API_KEY_/) || BAD_API_KEY.test(error.message))) {
    return 'authentication_failed';
  }
  if (mayBeContextLength(status) && isContextLengthMessage(error.message)) return 'context_length_exceeded';
  if (status === 429) return exhausted && exhausted.scope !== 'minute' ? 'quota_exhausted' : 'rate_limited';
  return mapHttpStatus(status);
}

/**
 * Which quota a 429 `RESOURCE_EXHAUSTED` names in its QuotaFailure violations. A limit of 0
 * (`quotaValue: "0"`, or `limit: 0` in the message: no free tier for this model) is `credits`:
 * only billing lifts it. A per-day quota (`GenerateRequestsPerDayPerProjectPerModel-FreeTier`)
 * is `day` and comes back at the next midnight Pacific time, whatever RetryInfo says (it
 * suggests seconds even then). A per-minute one is `minute`, back after RetryInfo's delay. The
 * model is the violation's `quotaDimensions.model`: Gemini counts per model, so the others may
 * still answer.
 */
function exhaustionOf(
  error: GeminiErrorBody['error'],
  receivedAt: number,
  retryAfterMs: number | undefined,
): QuotaExhaustion | undefined {
  let found: QuotaExhaustion | undefined;
  for (const violation of violationsOf(error)) {
    const quotaId = optionalString(violation.quotaId) ?? '';
    const metric = optionalString(violation.quotaMetric) ?? '';
    const dimensions = isRecord(violation.quotaDimensions) ? violation.quotaDimensions : {};
    const model = optionalString(dimensions.model);
    let candidate: QuotaExhaustion | undefined;
    if (violation.quotaValue === '0') candidate = { scope: 'credits' };
    else if (/PerDay/i.test(quotaId) || /per_day/i.test(metric)) {
      candidate = { scope: 'day', resetAt: nextMidnight(GEMINI_DAY_ZONE, receivedAt) };
    } else if (/PerMinute/i.test(quotaId) || /per_minute/i.test(metric)) {
      candidate = { scope: 'minute' };
      if (retryAfterMs !== undefined) candidate.resetAt = receivedAt + retryAfterMs;
    }
    if (!candidate) continue;
    // The message says "limit: 0" when the violations leave quotaValue out.
    if (ZERO_LIMIT.test(error.message)) candidate = { scope: 'credits' };
    if (model) candidate.model = model;
    // Several violations at once: the one that lasts longest decides.
    if (!found || SCOPE_RANK[candidate.scope] > SCOPE_RANK[found.scope]) found = candidate;
  }
  return found;
}

/** "* Quota exceeded for metric: ..., limit: 0, model: gemini-2.5-pro" */
const ZERO_LIMIT = /\blimit: 0\b/;
const SCOPE_RANK: Record<QuotaExhaustion['scope'], number> = { minute: 0, day: 1, month: 2, credits: 3 };

function violationsOf(error: GeminiErrorBody['error']): Record<string, unknown>[] {
  return detailsOfType(error, 'QuotaFailure').flatMap((failure) =>
    (Array.isArray(failure.violations) ? failure.violations : []).filter(isRecord),
  );
}

function hasErrorReason(error: GeminiErrorBody['error'], reason: RegExp): boolean {
  return detailsOfType(error, 'ErrorInfo').some((info) => reason.test(optionalString(info.reason) ?? ''));
}

/** `google.rpc.RetryInfo.retryDelay` (`"37s"`) in milliseconds. */
function retryDelayOf(error: GeminiErrorBody['error']): number | undefined {
  for (const info of detailsOfType(error, 'RetryInfo')) {
    const delay = optionalString(info.retryDelay);
    const ms = delay === undefined ? undefined : parseResetDuration(delay);
    if (ms !== undefined) return ms;
  }
  return undefined;
}
