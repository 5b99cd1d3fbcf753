import type { AttemptDeps, Attempting } from './attempt-context.ts';

/** How a job too large for the tokens left waits alone; undefined: it waits with its queue. */
export type WaitAlone = 'hold' | 'delayed' | undefined;

/**
 * A job refused by a token limit that still has room for the smaller jobs this provider runs
 * waits alone, without pausing its queue: the queue keeps serving the jobs behind it. (Pausing
 * the whole queue, right for a request limit where no other job fits either, would hold every
 * small job back for up to a window, or a month.) It waits
 * - `hold`: in its worker slot until the quota says it fits, when that is within the provider
 *   timeout and the provider runs more than one call at once (the other slots keep serving);
 * - `delayed`: otherwise, in BullMQ's delayed set until then (the caller throws `DelayedError`).
 *
 * It waits alone once. Refused again (smaller jobs took the room meanwhile), it reserves ahead
 * (`reservesAhead`): the queue pauses until the job fits, so it runs within two windows of
 * its first refusal at most, usually about one.
 */
export async function deferLargeJob(
  deps: AttemptDeps,
  attempting: Attempting,
  refusal: { retryAfterMs: number; limitIndex: number; waitedAlone: boolean },
): Promise<WaitAlone> {
  const { token, limits, provider, reservedTokens } = attempting;
  // Only the queue's workers reserve through `reserve()`, so there is an entry to delay.
  const queued = attempting.queued!;
  const limit = limits[refusal.limitIndex];
  if (limit?.unit !== 'tokens' || refusal.waitedAlone || !deps.reservationSizes) return undefined;
  if ((queued.data.deferrals ?? 0) > 0) return undefined;
  const smallest = deps.reservationSizes.smallest(provider.id);
  if (smallest === undefined || smallest >= reservedTokens) return undefined;
  // The counters that refused: the provider's, or those of the group of keys that frees first.
  const [usage] = await deps.quota.usage({ provider: attempting.reservation.provider, limits: [limit] });
  if (!usage || usage.remaining < smallest) return undefined;
  if (refusal.retryAfterMs <= provider.timeoutMs && provider.concurrency > 1) return 'hold';
  if (token === undefined) return undefined;
  await queued.updateData({ ...queued.data, deferrals: (queued.data.deferrals ?? 0) + 1 });
  await queued.moveToDelayed(Date.now() + refusal.retryAfterMs, token);
  return 'delayed';
}

/**
 * Whether a refused job that waited alone before holds its slot through the queue's pause
 * (instead of going back to the queue, where the smaller jobs picked up with it when the pause
 * ends would take the room again). Only for waits within the provider timeout: a worker slot
 * is not held for a month.
 */
export function reservesAhead(attempting: Attempting, retryAfterMs: number, waitedAlone: boolean): boolean {
  const deferred = waitedAlone || (attempting.queued?.data.deferrals ?? 0) > 0;
  return deferred && retryAfterMs <= attempting.provider.timeoutMs;
}
