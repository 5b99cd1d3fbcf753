import type { QuotaHint, RateLimitHint } from '@switchyard/spec';

/**
 * A wait derived from the quota reset headers, for a 429 that carried no Retry-After:
 * the latest reset among exhausted quotas (remaining 0), or else the earliest reset
 * reported (the first moment a retry could succeed).
 */
export function retryAfterFromResets(hint: RateLimitHint): number | undefined {
  const quotas = [hint.requests, hint.tokens].filter(
    (quota): quota is QuotaHint & { resetMs: number } => quota?.resetMs !== undefined,
  );
  if (quotas.length === 0) return undefined;
  const exhausted = quotas.filter((quota) => quota.remaining === 0);
  if (exhausted.length > 0) return Math.max(...exhausted.map((quota) => quota.resetMs));
  return Math.min(...quotas.map((quota) => quota.resetMs));
}
