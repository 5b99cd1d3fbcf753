import type { ProviderConfig } from '@switchyard/config';
import { Worker } from 'bullmq';
import type { AttemptDeps } from './attempt-context.ts';
import { DRAIN_DELAY_S, LIMITER, type QueuedJob } from './queues.ts';
import { runAttempt } from './run-attempt.ts';

/** A worker on one provider's queue: as many calls at once as the provider's concurrency. */
export function createProviderWorker(
  deps: AttemptDeps & { onError?: (error: unknown) => void },
  provider: ProviderConfig,
): Worker {
  const worker = new Worker<QueuedJob>(
    deps.queues.provider(provider.id).name,
    (queued, token) => runAttempt(deps, provider, queued, token),
    deps.queues.workerOptions(deps.queues.provider(provider.id).name, provider.concurrency, {
      limiter: LIMITER,
      drainDelay: DRAIN_DELAY_S,
    }),
  );
  worker.on('failed', (queued, error) => {
    // The processor itself broke (Redis gone, a bug) more times than BullMQ retries: the job
    // must still end, with the reason, rather than sit in `running` forever.
    if (!queued || queued.attemptsMade < (queued.opts.attempts ?? 1)) return;
    failInternally(deps, queued.data, error).catch((failure: unknown) => deps.onError?.(failure));
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
