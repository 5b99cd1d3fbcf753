import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** A provider queue's state at one moment, as BullMQ keeps it in Redis. */
export interface QueueSample {
  at: number;
  /** Jobs waiting (Switchyard's jobs carry a priority, so they sit in the prioritized set). */
  waiting: number;
  active: number;
  /** BullMQ's limiter key: its job counter, or MAX_SAFE_INTEGER while `queue.rateLimit()` holds. */
  limiter: string | null;
  limiterTtlMs: number;
}

const RATE_LIMITED = String(Number.MAX_SAFE_INTEGER);

/** Samples the queue (its keys read over `redis`) every `everyMs` until `stop()`, which returns the samples. */
export function sampleQueueState(
  redis: Redis,
  queue: Queue,
  everyMs = 250,
): { stop(): Promise<QueueSample[]> } {
  const samples: QueueSample[] = [];
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = (async () => {
      const at = Date.now();
      const [wait, prioritized, active, limiter, limiterTtlMs] = await Promise.all([
        redis.llen(queue.keys.wait!),
        redis.zcard(queue.keys.prioritized!),
        redis.llen(queue.keys.active!),
        redis.get(queue.keys.limiter!),
        redis.pttl(queue.keys.limiter!),
      ]);
      samples.push({ at, waiting: wait + prioritized, active, limiter, limiterTtlMs });
    })().catch(() => {});
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      return samples;
    },
  };
}

/** The queue as sampled nearest the middle of [from, to], in words. */
export function describeQueueBetween(samples: readonly QueueSample[], from: number, to: number): string {
  const middle = (from + to) / 2;
  const inside = samples.filter((sample) => sample.at >= from && sample.at <= to);
  const sample = inside.sort((left, right) => Math.abs(left.at - middle) - Math.abs(right.at - middle))[0];
  if (!sample) return 'no sample';
  const limiter =
    sample.limiter === null
      ? 'no limiter key (no rate limit in force)'
      : sample.limiter === RATE_LIMITED
        ? `limiter key = queue.rateLimit() marker, ${sample.limiterTtlMs} ms left`
        : `limiter key = BullMQ's job counter (${sample.limiter}), TTL ${sample.limiterTtlMs} ms, no rate limit in force`;
  return `${sample.waiting} jobs waiting, ${sample.active} active, ${limiter}`;
}
