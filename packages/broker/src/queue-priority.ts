import { PRIORITY_LIMIT, type Queue } from 'bullmq';
import type { RedisConnection } from './create-redis.ts';
import type { Priority } from './job.ts';

/**
 * The layout of BullMQ priorities on a provider queue, in one place. BullMQ serves the lowest
 * priority first (1 is the highest; 0 means none) and accepts up to `2^21 - 1`. Its prioritized
 * set scores an entry `priority * 2^32 + arrival counter`, so equal priorities go in arrival
 * order.
 *
 *   1                          urgent: reserved for a job promoted near its latest start
 *                              (`queue.changePriority`); nothing is enqueued there
 *   2 .. 1,048,576             interactive band: 2 + the job's fair-share tag
 *   1,048,577 .. 2,097,151     batch band: 1,048,577 + the job's fair-share tag
 *
 * Every interactive job goes before every batch job, and inside a band jobs go by their tag
 * (fair-share/): a tenant's tags advance by 1 / weight per job, so tenants with waiting work
 * take turns. A job is added at its band's last priority and moved to its tag right after; a
 * tag past the band's end leaves it there, in arrival order (docs/security.md).
 */
export const URGENT_PRIORITY = 1;

/** Priority values in each band: the tags 0 .. BAND_SIZE - 1 (BullMQ's limit is 2^21 - 1). */
export const BAND_SIZE = Math.floor((PRIORITY_LIMIT - URGENT_PRIORITY) / 2);

/** The first and last priority of a class's band. */
export interface Band {
  first: number;
  last: number;
}

export const BANDS: Record<Priority, Band> = {
  interactive: { first: URGENT_PRIORITY + 1, last: URGENT_PRIORITY + BAND_SIZE },
  batch: { first: URGENT_PRIORITY + BAND_SIZE + 1, last: PRIORITY_LIMIT },
};

/** BullMQ's prioritized-set score of the first entry of `priority` (see the layout above). */
export function scoreOf(priority: number): number {
  return priority * 2 ** 32;
}

/**
 * Entries waiting on `queue` that a new job of `priority` cannot pass: for an urgent (promoted)
 * job the urgent ones, for an interactive job the urgent and interactive ones, for a batch job
 * every one. (Inside its band a job may pass other tenants' jobs; counting them keeps the
 * estimate an upper bound.)
 */
export function waitingAhead(
  redis: RedisConnection,
  queue: Queue,
  priority: Priority | 'urgent',
): Promise<number> {
  const prioritized = queue.keys.prioritized!;
  if (priority === 'batch') return redis.zcard(prioritized);
  const below = priority === 'urgent' ? BANDS.interactive.first : BANDS.batch.first;
  return redis.zcount(prioritized, '-inf', `(${scoreOf(below)}`);
}
