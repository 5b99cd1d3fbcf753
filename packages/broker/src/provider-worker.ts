import type { ProviderConfig } from '@switchyard/config';
import { type Job as QueueJob, Worker } from 'bullmq';
import type { AttemptDeps } from './attempt-context.ts';
import { DRAIN_DELAY_S, LIMITER, type QueuedJob } from './queues.ts';
import { runAttempt } from './run-attempt.ts';
import { workerLost } from './sweeper.ts';

const DAY_S = 86_400;

/**
 * A worker on one provider's queue: as many calls at once as the provider's concurrency.
 * `keepCompleted`: the finished entries the queue keeps for Bull Board, the newest `count`,
 * none older than `age` (ms).
 */
export function createProviderWorker(
  deps: AttemptDeps & { onError?: (error: unknown) => void },
  provider: ProviderConfig,
  keepCompleted: { count: number; age: number },
): Worker {
  const worker = new Worker<QueuedJob>(
    deps.queues.provider(provider.id).name,
    (queued, token) => runAttempt(deps, provider, queued, token),
    deps.queues.workerOptions(deps.queues.provider(provider.id).name, provider.concurrency, {
      limiter: LIMITER,
      drainDelay: DRAIN_DELAY_S,
      // The worker's setting rather than each entry's option: BullMQ stores an entry's options
      // in its hash, and these two made every queued entry ~100 bytes larger (docs/benchmarks.md,
      // memory). BullMQ counts the age in seconds. Keeping entries changes nothing for the
      // broker: a target's entry id is used once (a job moves on to a new target's id, never back).
      removeOnComplete: { count: keepCompleted.count, age: Math.ceil(keepCompleted.age / 1_000) },
      removeOnFail: { age: DAY_S },
    }),
  );
  worker.on('failed', (queued, error) => {
    if (!queued) return;
    // The job must still end, with the reason, rather than sit in `running` forever: after the
    // processor itself broke (Redis gone, a bug) more times than BullMQ retries, or when BullMQ
    // failed the entry for good without running it (it stalled more than `maxStalledCount`
    // times: workers kept dying on it), whatever its `attemptsMade`.
    const stalled = Boolean(queued.deferredFailure) || error.name === 'UnrecoverableError';
    if (!stalled && queued.attemptsMade < (queued.opts.attempts ?? 1)) return;
    const ended = stalled ? moveOnAfterStalls(deps, queued, error) : failInternally(deps, queued.data, error);
    ended.catch((failure: unknown) => deps.onError?.(failure));
  });
  worker.on('error', () => {
    // Connection errors are retried by ioredis and BullMQ; without a listener Node would crash.
  });
  return worker;
}

async function failInternally(deps: AttemptDeps, queued: QueuedJob, error: Error): Promise<void> {
  const job = await deps.store.get(queued.id);
  if (!job) return;
  const message = `The worker could not run the job: ${error.message}`;
  await deps.dispatcher.fail(job, queued.target, { code: 'internal_error', message }, undefined, [
    'queued',
    'running',
  ]);
}

/**
 * Workers died holding this entry until BullMQ gave it up: the target is not where the job can
 * end, so it moves on (and fails, with its history, on the last target), like any lost call.
 */
async function moveOnAfterStalls(
  deps: AttemptDeps,
  queued: QueueJob<QueuedJob>,
  error: Error,
): Promise<void> {
  const job = await deps.store.get(queued.data.id);
  const planned = job?.plan[queued.data.target];
  if (!job || !planned) return;
  const attempt = workerLost(planned, `its queue entry failed: ${error.message}`);
  await deps.dispatcher.moveOn(job, queued.data.target, attempt, ['queued', 'running']);
}
