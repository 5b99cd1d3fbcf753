import type { AttemptOutcome, ProviderError } from '@switchyard/spec';
import { createProviderError, type ResponseContext, summarize } from '../shared/create-provider-error.ts';
import { isContextLengthMessage } from '../shared/is-context-length-message.ts';
import { mapHttpStatus, mayBeContextLength } from '../shared/map-http-status.ts';
import { isRecord, optionalString } from '../shared/parse-json-body.ts';
import { parseResetDuration } from '../shared/parse-reset-duration.ts';
import { detailsOfType, type GeminiErrorBody, readGeminiError } from './gemini-error.ts';

/** Gemini answers a wrong or expired key with a 400 INVALID_ARGUMENT. */
const BAD_API_KEY = /API key (?:not valid|expired|not found)/i;

/** The error for a non-2xx generateContent answer. */
export function mapGeminiError(context: ResponseContext): ProviderError {
  const { status, text } = context.response;
  const error = readGeminiError(text);
  return createProviderError(context, {
    outcome: error ? classify(status, error) : mapHttpStatus(status),
    detail: summarize(
      error ? [error.status, error.message].filter(Boolean).join(': ') : undefined,
      `body was ${text.trim() === '' ? 'empty' : 'not a Gemini error'}`,
    ),
    retryAfterMs: error ? retryDelayOf(error) : undefined,
  });
}

function classify(status: number, error: GeminiErrorBody['error']): AttemptOutcome {
  if (status === 400 && (hasErrorReason(error, /^API_KEY_/) || BAD_API_KEY.test(error.message))) {
    return 'authentication_failed';
  }
  if (mayBeContextLength(status) && isContextLengthMessage(error.message)) return 'context_length_exceeded';
  if (status === 429) return isLongQuota(error) ? 'quota_exhausted' : 'rate_limited';
  return mapHttpStatus(status);
}

/**
 * A 429 is a daily (or zero) quota when a QuotaFailure violation names a per-day quota
 * (`GenerateRequestsPerDayPerProjectPerModel-FreeTier`) or a limit of 0 (no free tier for
 * this model): neither lifts within minutes. Per-minute violations are plain rate limits.
 */
function isLongQuota(error: GeminiErrorBody['error']): boolean {
  return detailsOfType(error, 'QuotaFailure').some((failure) =>
    (Array.isArray(failure.violations) ? failure.violations : []).some((violation) => {
      if (!isRecord(violation)) return false;
      const quotaId = optionalString(violation.quotaId) ?? '';
      const metric = optionalString(violation.quotaMetric) ?? '';
      return /PerDay/i.test(quotaId) || /per_day/i.test(metric) || violation.quotaValue === '0';
    }),
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
