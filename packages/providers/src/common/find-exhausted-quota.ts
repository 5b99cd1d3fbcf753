import type { ExhaustionScope, QuotaExhaustion } from '@switchyard/spec';
import { parseResetValue } from './parse-rate-limit-headers.ts';
import type { HeaderReader } from './post-json.ts';

/** A quota resetting further away than this cannot be a per-minute window. */
const MINUTE_MS = 60_000;
const METRICS = ['requests', 'tokens'] as const;
/** Cerebras names the window of each quota; OpenAI, Groq and OpenRouter do not. */
const SUFFIXES = ['', '-minute', '-hour', '-day'] as const;
const ANTHROPIC_QUOTAS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

interface ExhaustedQuota {
  /** The window the header names (Cerebras `-day`), if any. */
  window?: 'minute' | 'hour' | 'day';
  resetMs?: number;
}

/**
 * The quota the rate-limit headers report as spent (remaining 0), as an exhaustion: the one
 * that comes back last when several are spent. Its scope is the window the header names
 * (Cerebras' `-minute`/`-day`), or else what its reset says: more than a minute away is a daily
 * (or hourly) cap, as Groq's requests quota (its RPD: `x-ratelimit-reset-requests: 2m59.56s`),
 * within a minute a rate limit. Undefined when no header reports a spent quota.
 */
export function findExhaustedQuota(headers: HeaderReader, now: number): QuotaExhaustion | undefined {
  const spent: ExhaustedQuota[] = [];
  for (const metric of METRICS) {
    for (const suffix of SUFFIXES) {
      const quota = readSpent(
        headers,
        `x-ratelimit-remaining-${metric}${suffix}`,
        `x-ratelimit-reset-${metric}${suffix}`,
        now,
      );
      if (quota)
        spent.push({
          ...quota,
          window: suffix === '' ? undefined : (suffix.slice(1) as ExhaustedQuota['window']),
        });
    }
  }
  // OpenRouter: bare headers, the reset an epoch in milliseconds.
  const bare = readSpent(headers, 'x-ratelimit-remaining', 'x-ratelimit-reset', now);
  if (bare) spent.push(bare);
  for (const quota of ANTHROPIC_QUOTAS) {
    const found = readSpent(
      headers,
      `anthropic-ratelimit-${quota}-remaining`,
      `anthropic-ratelimit-${quota}-reset`,
      now,
    );
    if (found) spent.push(found);
  }
  if (spent.length === 0) return undefined;

  const last = spent.reduce((latest, quota) =>
    (quota.resetMs ?? 0) > (latest.resetMs ?? 0) ? quota : latest,
  );
  const exhaustion: QuotaExhaustion = { scope: scopeOf(last) };
  if (last.resetMs !== undefined) exhaustion.resetAt = now + last.resetMs;
  return exhaustion;
}

/** The window a provider's message names (`requests per day (RPD)`, `tokens per min (TPM)`), if any. */
export function windowNamedIn(message: string | undefined): ExhaustionScope | undefined {
  if (!message) return undefined;
  if (/\bper[ -]day\b|\b(?:RPD|TPD)\b|\bdaily\b/i.test(message)) return 'day';
  if (/\bper[ -]month\b|\bmonthly\b/i.test(message)) return 'month';
  if (/\bper[ -]min(?:ute)?\b|\b(?:RPM|TPM|ITPM|OTPM)\b/.test(message)) return 'minute';
  return undefined;
}

/** Whether a quota of this scope lasts past any wait worth making here. */
export function isLongScope(scope: ExhaustionScope): boolean {
  return scope !== 'minute';
}

function readSpent(headers: HeaderReader, remainingName: string, resetName: string, now: number) {
  const remaining = headers.get(remainingName)?.trim();
  if (remaining === undefined || remaining === '' || Number(remaining) !== 0) return undefined;
  const reset = headers.get(resetName);
  const resetMs = reset === null ? undefined : parseResetValue(reset, now);
  return resetMs === undefined ? {} : { resetMs };
}

function scopeOf(quota: ExhaustedQuota): ExhaustionScope {
  if (quota.window === 'day') return 'day';
  if (quota.window === 'minute') return 'minute';
  return (quota.resetMs ?? 0) > MINUTE_MS ? 'day' : 'minute';
}
