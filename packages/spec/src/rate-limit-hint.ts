/** What a provider told us about one of its quotas (from x-ratelimit-* style headers). */
export interface QuotaHint {
  limit?: number;
  remaining?: number;
  /** Milliseconds until this quota resets, measured from when the response arrived. */
  resetMs?: number;
}

/** Rate-limit signals parsed from a provider response, successful or not. */
export interface RateLimitHint {
  /** How long to wait before calling this provider again. */
  retryAfterMs?: number;
  requests?: QuotaHint;
  tokens?: QuotaHint;
}
