import type { Priority } from './job.ts';

/** BullMQ priorities: lower runs first, so interactive jobs go ahead of batch jobs. */
export const QUEUE_PRIORITY: Record<Priority, number> = { interactive: 1, batch: 2 };

/**
 * Workers need a limiter for BullMQ to honour `queue.rateLimit()`; this one never binds by
 * itself (the Lua quota does the limiting), it only lets the queue-wide pause work.
 */
export const LIMITER = { max: 1e12, duration: 60_000 };
