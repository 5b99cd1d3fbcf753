import { type Job as QueueJob, Worker } from 'bullmq';
import type { RedisConnection } from './create-redis.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { Attempt, Job, PlanTarget } from './job.ts';
import { TERMINAL_STATUSES } from './job.ts';
import type { JobStore } from './job-store/create-job-store.ts';
import type { Keys } from './keys.ts';
import { BANDS } from './queue-priority.ts';
import type { Queues } from './queues.ts';

/** How often the sweeper runs, how many jobs one run looks at, and how soon it looks again. */
export interface SweeperSettings {
  /** Between two runs (one BullMQ job scheduler for every process). Default 30 s. */
  intervalMs: number;
  /** Jobs one run checks at most (its bound). Default 500. */
  batch: number;
  /** A job that looked healthy is checked again this much later. Default 2 minutes. */
  recheckMs: number;
}

export const DEFAULT_SWEEPER: SweeperSettings = { intervalMs: 30_000, batch: 500, recheckMs: 120_000 };

/** Failed finalize entries one run sends back to their queue at most. */
const FINALIZE_RETRY_BATCH = 100;

/** Queue entry states from which BullMQ will still run the entry by itself. */
const WILL_RUN = new Set(['waiting', 'wait', 'prioritized', 'delayed', 'waiting-children']);

/**
 * The attempt recorded for a target left because no worker can finish its entry there: no
 * provider call is known to have ended, so it is `skipped`, with the code `worker_lost`.
 */
export function workerLost(planned: PlanTarget, message: string): Attempt {
  const now = new Date().toISOString();
  return {
    ...planned,
    outcome: 'skipped',
    error: { code: 'worker_lost', message },
    started_at: now,
    finished_at: now,
    latency_ms: 0,
  };
}

export interface SweepReport {
  checked: number;
  /** Jobs moved on or failed because their queue entry could no longer run. */
  recovered: number;
  /** Queued jobs whose queue entry was missing, enqueued again. */
  requeued: number;
  /** Failed finalize entries sent back to their queue. */
  finalizeRetried: number;
}

export interface Sweeper {
  /** One run: what the repeated BullMQ job does, callable directly (tests, tools). */
  sweep(): Promise<SweepReport>;
  /** Registers the repeated run (idempotent across processes) and starts this process's worker. */
  start(): Promise<Worker>;
}

/**
 * Reconciles job records with BullMQ, for the states BullMQ cannot leave by itself: a job
 * `running` whose queue entry is gone, failed, or active with no live lock (its worker died and
 * no worker of that queue runs the stalled check, or the entry stalled too often); a job
 * `queued` with no queue entry at all (a process died between the record and the entry). The
 * first kind moves on through the dispatcher (and fails, with its history, on its last target);
 * the second is enqueued again. It also sends failed finalize entries back to their queue, so
 * follow-ups are retried until they are done.
 *
 * Bounded: a run reads at most `batch` ids from `keys.openJobs`, the jobs whose next check is
 * due (a sorted set scored by that time, so no cursor is needed and the oldest go first), and
 * reschedules each one `recheckMs` later. Terminal or missing jobs leave the index.
 */
export function createSweeper(deps: {
  redis: RedisConnection;
  store: JobStore;
  queues: Queues;
  keys: Keys;
  dispatcher: Dispatcher;
  settings: SweeperSettings;
  onError?: (error: unknown) => void;
  /** Releases a terminal job from its tenant's limits (idempotent), should its process have died first. */
  releaseTenant?: (job: Job) => Promise<void>;
}): Sweeper {
  const { redis, store, queues, keys, dispatcher, settings } = deps;

  /** What the queue entry of the job on its current target says. */
  async function entryOf(job: Job): Promise<{ state: string; entry?: QueueJob } | undefined> {
    const planned = job.plan[job.target];
    if (!planned) return undefined;
    const queue = queues.provider(planned.provider);
    const entry = await queue.getJob(`${job.id}-${job.target}`);
    if (!entry) return { state: 'missing' };
    return { state: await entry.getState(), entry };
  }

  async function hasLock(job: Job, entry: QueueJob): Promise<boolean> {
    const queue = queues.provider(job.plan[job.target]!.provider);
    return (await redis.exists(`${queue.toKey(entry.id!)}:lock`)) === 1;
  }

  async function hasFastLease(job: Job): Promise<boolean> {
    const leaseEnd = await redis.zscore(keys.fastCalls(job.plan[job.target]!.provider), job.id);
    return leaseEnd !== null && Number(leaseEnd) > Date.now();
  }

  /** Moves a job whose entry can no longer run to its next target, recording why. */
  async function recover(job: Job, reason: string): Promise<boolean> {
    return dispatcher.moveOn(job, job.target, workerLost(job.plan[job.target]!, reason), [job.status]);
  }

  async function check(id: string, report: SweepReport): Promise<void> {
    const job = await store.get(id);
    if (!job || TERMINAL_STATUSES.has(job.status)) {
      if (job) await Promise.all([dispatcher.afterTerminal(job), deps.releaseTenant?.(job)]);
      await redis.zrem(keys.openJobs, id);
      return;
    }
    const found = await entryOf(job);
    if (!found) return;
    const { state, entry } = found;
    // Still parked at its band's end: its process died between adding it and giving it its
    // fair-share turn. Enqueueing again adds nothing and gives it the turn.
    if (state === 'prioritized' && entry?.priority === BANDS[job.priority].last)
      return dispatcher.enqueue(job, job.target);
    if (WILL_RUN.has(state)) return;
    if (state === 'active' && entry && (await hasLock(job, entry))) return;
    // A call on the synchronous fast path has no queue entry: its lease says whether the
    // process making it lives (`fast-path.ts`).
    if (job.status === 'running' && (await hasFastLease(job))) return;
    if (job.status === 'queued' && (state === 'missing' || state === 'completed')) {
      // Read again: the entry may have just run, finished the job and been removed.
      const again = await store.get(id);
      if (again?.status !== 'queued' || again.target !== job.target) return;
      // A completed entry keeps its id: remove it so the same id can be added again.
      if (entry) await entry.remove().catch(() => undefined);
      await dispatcher.enqueue(again, again.target);
      report.requeued++;
      return;
    }
    const why =
      state === 'failed'
        ? `its queue entry failed: ${entry?.failedReason ?? 'no reason given'}`
        : state === 'active'
          ? 'the worker running it stopped (its queue entry lost its lock)'
          : 'its queue entry is gone';
    if (await recover(job, why)) report.recovered++;
  }

  async function retryFinalize(report: SweepReport): Promise<void> {
    const failed = await queues.get(keys.finalizeQueue).getFailed(0, FINALIZE_RETRY_BATCH - 1);
    for (const entry of failed) {
      // One more try per run: its attempts are spent, so a failure returns it to `failed`.
      await entry.retry('failed').catch(() => undefined);
      report.finalizeRetried++;
    }
  }

  async function sweep(): Promise<SweepReport> {
    const report: SweepReport = { checked: 0, recovered: 0, requeued: 0, finalizeRetried: 0 };
    const now = Date.now();
    const due = await redis.zrangebyscore(keys.openJobs, '-inf', now, 'LIMIT', 0, settings.batch);
    if (due.length > 0) {
      // Rescheduled first (XX: never re-adds a job that ended meanwhile), so a run that dies
      // halfway does not leave the same jobs at the head of the index forever.
      const next = now + settings.recheckMs;
      await redis.zadd(keys.openJobs, 'XX', ...due.flatMap((id) => [next, id]));
    }
    for (const id of due) {
      report.checked++;
      await check(id, report).catch((error: unknown) => deps.onError?.(error));
    }
    await retryFinalize(report);
    return report;
  }

  return {
    sweep,
    async start() {
      const queue = queues.get(keys.sweeperQueue);
      await queue.upsertJobScheduler(
        'sweep',
        { every: settings.intervalMs },
        { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
      const worker = new Worker(keys.sweeperQueue, () => sweep(), queues.workerOptions(keys.sweeperQueue, 1));
      worker.on('error', () => {
        // Connection errors are retried by ioredis and BullMQ; without a listener Node would crash.
      });
      return worker;
    },
  };
}
