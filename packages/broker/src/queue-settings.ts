import type { Priority } from './job.ts';

/** BullMQ priorities: lower runs first, so interactive jobs go ahead of batch jobs. */
export const QUEUE_PRIORITY: Record<Priority, number> = { interactive: 1, batch: 2 };

/**
 * Workers need a limiter for BullMQ to honour `queue.rateLimit()`; this one never binds by
 * itself (the Lua quota does the limiting), it only lets the queue-wide pause work. Its
 * counter must expire at once: a worker that throws `RateLimitError` sleeps for the limiter
 * key's TTL, and a long-lived counter would make it sleep for no reason.
 */
export const LIMITER = { max: 1e12, duration: 1 };

/**
 * Seconds an idle worker blocks waiting for a job. BullMQ's default (5 s) left workers asleep
 * with jobs waiting when a queue at its global concurrency got jobs back from a rate limit.
 */
export const DRAIN_DELAY_S = 0.1;
