import type { AttemptOutcome, ProviderError, QuotaExhaustion } from '@switchyard/spec';
import { createProviderError, type ResponseContext, summarize } from '../common/create-provider-error.ts';
import { findExhaustedQuota, isLongScope, windowNamedIn } from '../common/find-exhausted-quota.ts';
import { isContextLengthMessage } from '../common/is-context-length-message.ts';
import { mapHttpStatus, mayBeContextLength } from '../common/map-http-status.ts';
import { isRecord, parseJsonBody } from '../common/parse-json-body.ts';
import { parseResetDuration } from '../common/parse-reset-duration.ts';
import type { HeaderReader } from '../common/post-json.ts';
import { readOpenAIError } from './openai-error.ts';

/** Groq's and OpenAI's bodies end with the wait: "Please try again in 13m51.84s." */
const TRY_AGAIN_IN = /try again in ([\d.hmsuµn]+)/i;

/** The error for a non-2xx Chat Completions answer. */
export function mapOpenAIError(context: ResponseContext): ProviderError {
  const { status, text } = context.response;
  const details = readOpenAIError(text);
  const exhausted = exhaustionOf(context, details.code, details.type, details.message);
  let outcome = classify(status, details.code, details.message);
  if (exhausted && (outcome === 'rate_limited' || outcome === 'quota_exhausted')) {
    outcome = isLongScope(exhausted.scope) ? 'quota_exhausted' : 'rate_limited';
  }
  return createProviderError(context, {
    outcome,
    detail: summarize(
      [details.code ?? details.type, details.message].filter(Boolean).join(': '),
      `body was ${text.trim() === '' ? 'empty' : 'not an OpenAI error'}`,
    ),
    ...(exhausted ? { exhausted } : {}),
  });
}

function classify(status: number, code: string | undefined, message: string | undefined): AttemptOutcome {
  if (status >= 400 && status < 500 && code === 'context_length_exceeded') return 'context_length_exceeded';
  if (mayBeContextLength(status) && isContextLengthMessage(message)) return 'context_length_exceeded';
  return mapHttpStatus(status);
}

/**
 * Which quota a 429 or 402 says ran out. `insufficient_quota` (OpenAI: billing stops the key;
 * no wait cures it) and a 402 (OpenRouter: out of credits) are `credits`. Otherwise the window
 * the message names (Groq and OpenAI: "on requests per day (RPD)", OpenRouter:
 * `free-models-per-day`) or, failing that, the spent quota in the headers; the reset comes
 * from the headers, else from "try again in ..." in the message, else from Retry-After.
 */
function exhaustionOf(
  context: ResponseContext,
  code: string | undefined,
  type: string | undefined,
  message: string | undefined,
): QuotaExhaustion | undefined {
  const { status, headers, receivedAt } = context.response;
  if (status !== 429 && status !== 402) return undefined;
  if (status === 402 || code === 'insufficient_quota' || type === 'insufficient_quota')
    return { scope: 'credits' };

  // OpenRouter repeats its X-RateLimit-* headers inside the body (`error.metadata.headers`).
  const fromHeaders =
    findExhaustedQuota(headers, receivedAt) ??
    findExhaustedQuota(headersInBody(context.response.text), receivedAt);
  const scope = windowNamedIn(message) ?? fromHeaders?.scope;
  if (scope === undefined) return undefined;
  const exhaustion: QuotaExhaustion = { scope };
  const waitMs = waitNamedIn(message) ?? context.rateLimit.retryAfterMs;
  const resetAt = fromHeaders?.resetAt ?? (waitMs === undefined ? undefined : receivedAt + waitMs);
  if (resetAt !== undefined) exhaustion.resetAt = resetAt;
  return exhaustion;
}

function headersInBody(text: string): HeaderReader {
  const body = parseJsonBody(text);
  const headers =
    isRecord(body) &&
    isRecord(body.error) &&
    isRecord(body.error.metadata) &&
    isRecord(body.error.metadata.headers)
      ? body.error.metadata.headers
      : {};
  const byName = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { get: (name: string) => byName.get(name.toLowerCase()) ?? null };
}

function waitNamedIn(message: string | undefined): number | undefined {
  const match = message === undefined ? null : TRY_AGAIN_IN.exec(message);
  return match ? parseResetDuration(match[1]!.replace(/\.$/, '')) : undefined;
}
