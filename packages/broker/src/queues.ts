import { Queue, type WorkerOptions } from 'bullmq';
import type { RedisConnection } from './create-redis.ts';
import type { Keys } from './keys.ts';

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

/** What a provider or deadline queue's BullMQ job carries: the rest lives in the job record. */
export interface QueuedJob {
  id: string;
  target: number;
  /** Times the job waited alone for a token limit (see `deferLargeJob`). */
  deferrals?: number;
  /**
   * On a deadline timer: it fires this long before the job's latest start on `target`, promotes
   * the job (`PROMOTE_AHEAD_MS` in dispatcher.ts), then waits this long more to move it on.
   */
  promoteMs?: number;
}

/** How fast a dead worker's job is taken over: the BullMQ lock and stalled-check settings. */
export interface LockSettings {
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/** The BullMQ queues of one Redis prefix, made once and shared by the broker's modules. */
export interface Queues {
  get(name: string): Queue;
  provider(providerId: string): Queue;
  /** Options every worker of this broker shares (the queue's prefix); `concurrency` is the worker's own. */
  workerOptions(queueName: string, concurrency: number, extra?: Partial<WorkerOptions>): WorkerOptions;
  close(): Promise<void>;
}

export function createQueues(redis: RedisConnection, keys: Keys, lock: LockSettings): Queues {
  const queues = new Map<string, Queue>();

  function get(name: string): Queue {
    let found = queues.get(name);
    if (!found) {
      found = new Queue(name, { connection: redis, prefix: keys.queuePrefix(name) });
      queues.set(name, found);
    }
    return found;
  }

  return {
    get,
    provider: (providerId) => get(keys.providerQueue(providerId)),
    workerOptions: (queueName, concurrency, extra = {}) => ({
      connection: redis,
      prefix: keys.queuePrefix(queueName),
      concurrency,
      // A job held by a worker that died (or lost its lock to a Redis restart) is taken over after
      // the lock duration, however often that happens.
      lockDuration: lock.lockDurationMs,
      stalledInterval: lock.stalledIntervalMs,
      maxStalledCount: 10,
      ...extra,
    }),
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}
