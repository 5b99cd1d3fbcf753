import { DelayedError, Worker } from 'bullmq';
import type { Dispatcher } from './dispatcher.ts';
import { TERMINAL_STATUSES } from './job.ts';
import type { JobStore } from './job-store/create-job-store.ts';
import type { Keys } from './keys.ts';
import { URGENT_PRIORITY } from './queue-priority.ts';
import type { QueuedJob, Queues } from './queues.ts';

const CONCURRENCY = 16;

/**
 * Moves jobs that are still waiting on a target when they can no longer start there in time;
 * shortly before that, promotes them ahead of the jobs with more time left (`PROMOTE_AHEAD_MS`).
 */
export function createDeadlineWorker(deps: {
  store: JobStore;
  queues: Queues;
  keys: Keys;
  dispatcher: Dispatcher;
}): Worker {
  const { store, queues, keys, dispatcher } = deps;
  const worker = new Worker<QueuedJob>(
    keys.deadlineQueue,
    async (queued, token) => {
      const job = await store.get(queued.data.id);
      if (!job || TERMINAL_STATUSES.has(job.status)) return;
      if (job.target > queued.data.target) return dispatcher.enqueue(job, job.target);
      const { promoteMs, ...timer } = queued.data;
      if (promoteMs !== undefined) {
        if (job.target === timer.target && job.status === 'queued') {
          const entry = await queues
            .provider(job.plan[timer.target]!.provider)
            .getJob(`${job.id}-${timer.target}`);
          // On a waiting entry this moves it; on one a worker just claimed it changes nothing.
          await entry?.changePriority({ priority: URGENT_PRIORITY });
        }
        // The same timer waits for the latest start itself (a job id is used once per target).
        await queued.updateData(timer);
        await queued.moveToDelayed(Date.now() + promoteMs, token);
        throw new DelayedError();
      }
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
