import type { QuotaHint, RateLimitHint } from '@switchyard/spec';
import { parseResetDuration } from './parse-reset-duration.ts';
import { parseRetryAfter } from './parse-retry-after.ts';
import type { HeaderReader } from './post-json.ts';

/** OpenAI and Groq send no window suffix; Cerebras sends `-minute`/`-day`; OpenRouter sends bare headers. */
const OPENAI_WINDOWS = ['', '-minute', '-hour', '-day'] as const;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * Reads every rate-limit signal a provider put on a response, successful or not:
 * `retry-after-ms` / `retry-after`, OpenAI-style `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`
 * (with Cerebras' `-day`/`-minute` variants and OpenRouter's bare `x-ratelimit-*`), and
 * Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`.
 * When several quotas describe the same thing (Anthropic tokens / input / output, Cerebras
 * windows), the most constraining one is kept. Returns `{}` when no header was present.
 */
export function parseRateLimitHeaders(headers: HeaderReader, now = Date.now()): RateLimitHint {
  const hint: RateLimitHint = {};
  const retryAfterMs = parseRetryAfter(headers, now);
  if (retryAfterMs !== undefined) hint.retryAfterMs = retryAfterMs;

  const requests = mostConstraining([
    ...OPENAI_WINDOWS.map((window) => readOpenAIQuota(headers, `requests${window}`, now)),
    readOpenAIQuota(headers, '', now),
    readAnthropicQuota(headers, 'requests', now),
  ]);
  if (requests) hint.requests = requests;

  const tokens = mostConstraining([
    ...OPENAI_WINDOWS.map((window) => readOpenAIQuota(headers, `tokens${window}`, now)),
    readAnthropicQuota(headers, 'tokens', now),
    readAnthropicQuota(headers, 'input-tokens', now),
    readAnthropicQuota(headers, 'output-tokens', now),
  ]);
  if (tokens) hint.tokens = tokens;

  return hint;
}

export function isEmptyRateLimitHint(hint: RateLimitHint): boolean {
  return hint.retryAfterMs === undefined && hint.requests === undefined && hint.tokens === undefined;
}

function readOpenAIQuota(headers: HeaderReader, name: string, now: number): QuotaHint | undefined {
  const suffix = name === '' ? '' : `-${name}`;
  return buildQuota(
    headers.get(`x-ratelimit-limit${suffix}`),
    headers.get(`x-ratelimit-remaining${suffix}`),
    headers.get(`x-ratelimit-reset${suffix}`),
    now,
  );
}

function readAnthropicQuota(headers: HeaderReader, name: string, now: number): QuotaHint | undefined {
  return buildQuota(
    headers.get(`anthropic-ratelimit-${name}-limit`),
    headers.get(`anthropic-ratelimit-${name}-remaining`),
    headers.get(`anthropic-ratelimit-${name}-reset`),
    now,
  );
}

function buildQuota(
  limitText: string | null,
  remainingText: string | null,
  resetText: string | null,
  now: number,
): QuotaHint | undefined {
  const quota: QuotaHint = {};
  const limit = parseCount(limitText);
  const remaining = parseCount(remainingText);
  const resetMs = resetText === null ? undefined : parseResetValue(resetText, now);
  if (limit !== undefined) quota.limit = limit;
  if (remaining !== undefined) quota.remaining = remaining;
  if (resetMs !== undefined) quota.resetMs = resetMs;
  return Object.keys(quota).length > 0 ? quota : undefined;
}

function parseCount(text: string | null): number | undefined {
  if (text === null) return undefined;
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * A reset as providers send it, as milliseconds from `now`: a duration (`6m0s`, `7.66s`),
 * plain seconds (Cerebras), an RFC 3339 timestamp (Anthropic) or a Unix timestamp in
 * seconds or milliseconds (OpenRouter).
 */
export function parseResetValue(value: string, now: number): number | undefined {
  const text = value.trim();
  if (PLAIN_NUMBER.test(text)) {
    const number = Number(text);
    if (number >= 1e12) return Math.max(0, Math.round(number - now));
    if (number >= 1e9) return Math.max(0, Math.round(number * 1_000 - now));
    return Math.round(number * 1_000);
  }
  const duration = parseResetDuration(text);
  if (duration !== undefined) return duration;
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The quota with the smallest share left; on a tie, the one that resets last. */
function mostConstraining(quotas: (QuotaHint | undefined)[]): QuotaHint | undefined {
  let best: QuotaHint | undefined;
  for (const quota of quotas) {
    if (!quota) continue;
    if (
      !best ||
      shareLeft(quota) < shareLeft(best) ||
      (shareLeft(quota) === shareLeft(best) && (quota.resetMs ?? 0) > (best.resetMs ?? 0))
    ) {
      best = quota;
    }
  }
  return best;
}

function shareLeft(quota: QuotaHint): number {
  if (quota.remaining === undefined) return 1;
  if (quota.limit !== undefined && quota.limit > 0) return quota.remaining / quota.limit;
  return quota.remaining === 0 ? 0 : 1;
}
