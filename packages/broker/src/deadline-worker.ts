import { Worker } from 'bullmq';
import type { Dispatcher } from './dispatcher.ts';
import { TERMINAL_STATUSES } from './job.ts';
import type { JobStore } from './job-store/create-job-store.ts';
import type { Keys } from './keys.ts';
import type { QueuedJob, Queues } from './queues.ts';

const CONCURRENCY = 16;

/** Moves jobs that are still waiting on a target when they can no longer start there in time. */
export function createDeadlineWorker(deps: {
  store: JobStore;
  queues: Queues;
  keys: Keys;
  dispatcher: Dispatcher;
}): Worker {
  const { store, queues, keys, dispatcher } = deps;
  const worker = new Worker<QueuedJob>(
    keys.deadlineQueue,
    async (queued) => {
      const job = await store.get(queued.data.id);
      if (!job || TERMINAL_STATUSES.has(job.status)) return;
      if (job.target > queued.data.target) return dispatcher.enqueue(job, job.target);
      if (job.target !== queued.data.target || job.status !== 'queued') return;
      const moved = await dispatcher.skip(
        job,
        job.target,
        'deadline_unreachable',
        'still waiting when it had to start to meet its deadline',
        // Only a job still waiting: one a provider worker claimed meanwhile is left to its call.
        ['queued'],
      );
      if (!moved) return;
      await queues
        .provider(job.plan[queued.data.target]!.provider)
        .remove(`${job.id}-${queued.data.target}`)
        .catch(() => 0);
    },
    queues.workerOptions(keys.deadlineQueue, CONCURRENCY),
  );
  worker.on('error', () => {
    // Connection errors are retried by ioredis and BullMQ; without a listener Node would crash.
  });
  return worker;
}
