import { Worker } from 'bullmq';
import type { Job } from './job.ts';
import { TERMINAL_STATUSES } from './job.ts';
import type { JobStore } from './job-store/create-job-store.ts';
import type { Keys } from './keys.ts';
import type { Queues } from './queues.ts';

const CONCURRENCY = 32;

/** Runs the broker's `onTerminal` for finished jobs, retried by BullMQ until it succeeds. */
export function createFinalizeWorker(deps: {
  store: JobStore;
  queues: Queues;
  keys: Keys;
  onTerminal: (job: Job) => Promise<void>;
}): Worker {
  const { store, queues, keys, onTerminal } = deps;
  const worker = new Worker<{ id: string }>(
    keys.finalizeQueue,
    async (queued) => {
      const job = await store.get(queued.data.id);
      if (job && TERMINAL_STATUSES.has(job.status)) await onTerminal(job);
    },
    queues.workerOptions(keys.finalizeQueue, CONCURRENCY),
  );
  worker.on('error', () => {
    // Connection errors are retried by ioredis and BullMQ; without a listener Node would crash.
  });
  return worker;
}
