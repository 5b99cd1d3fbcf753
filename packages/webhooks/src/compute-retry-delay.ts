/** Standard Webhooks' schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const DEFAULT_WEBHOOK_SCHEDULE: readonly number[] = [
  0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
];

/** A receiver's `Retry-After` is honoured up to this long (the longest gap of the schedule). */
export const MAX_RETRY_AFTER_MS = 86_400_000;

const JITTER = 0.1;

/**
 * Milliseconds before the next attempt once `attemptsMade` attempts failed: the schedule's
 * entry for that attempt, ±10 % jitter so receivers coming back up are not hit in step, or the
 * receiver's `Retry-After` when that is longer.
 */
export function computeRetryDelay(
  schedule: readonly number[],
  attemptsMade: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const planned = schedule[Math.min(Math.max(attemptsMade, 0), schedule.length - 1)] ?? 0;
  const jittered = Math.round(planned * (1 - JITTER + 2 * JITTER * random()));
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.max(jittered, asked);
}
