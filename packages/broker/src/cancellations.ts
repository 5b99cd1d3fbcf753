import type { RedisConnection } from './create-redis.ts';
import type { Keys } from './keys.ts';

/**
 * Cancelling a job aborts its provider call in whichever process runs it: the cancel is
 * published, and every worker process aborts the call it holds for that job.
 */
export interface Cancellations {
  /** An abort signal for the call this process is about to make for `jobId`. */
  track(jobId: string): AbortController;
  untrack(jobId: string): void;
  publish(jobId: string): Promise<void>;
  /** Subscribes this process (worker processes only). */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export function createCancellations(redis: RedisConnection, keys: Keys): Cancellations {
  const running = new Map<string, AbortController>();
  let subscriber: RedisConnection | undefined;
  return {
    track(jobId) {
      const controller = new AbortController();
      running.set(jobId, controller);
      return controller;
    },
    untrack: (jobId) => void running.delete(jobId),
    async publish(jobId) {
      await redis.publish(keys.cancellations, jobId);
    },
    async listen() {
      if (subscriber) return;
      subscriber = redis.duplicate();
      subscriber.on('message', (_channel: string, jobId: string) => running.get(jobId)?.abort());
      await subscriber.subscribe(keys.cancellations);
    },
    async close() {
      await subscriber?.quit();
    },
  };
}
