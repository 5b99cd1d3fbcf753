import type { EstimateStart } from './estimate-start.ts';
import { estimateInputTokens } from './estimate-tokens.ts';
import type { FairShare } from './fair-share/create-fair-share.ts';
import type { Attempt, Job, JobStatus } from './job.ts';
import type { JobStore } from './job-store/create-job-store.ts';
import type { Keys } from './keys.ts';
import type { LatencyStats } from './latency-stats.ts';
import { type AttemptOutcome, decide } from './outcome-policy.ts';
import { URGENT_PRIORITY } from './queue-priority.ts';
import type { QueuedJob, Queues } from './queues.ts';

/**
 * A job that reaches a target already past its latest start there (it fell through from an
 * earlier target at its own latest start) stays this share of the margin when the target can
 * start it at once: starting now beats every later target, which cannot start it any sooner.
 * A share, so that two such stays on the way leave half the margin for the last target (250 ms
 * of the default 1 s).
 */
const LATE_ARRIVAL_GRACE_SHARE = 0.25;
/**
 * A job still waiting on a target this long before its latest start there goes ahead of every
 * job with more time left (BullMQ's reserved priority 1, `URGENT_PRIORITY`), and the jobs promoted
 * go in the order of their latest starts: each queue then serves the earliest deadline first
 * among the jobs it is about to lose, instead of an interactive job with minutes to spare before
 * a batch job that must start now or leave. Its deadline timer takes both steps.
 */
export const PROMOTE_AHEAD_MS = 2_000;
const DAY_S = 86_400;

export interface AttemptEvent {
  job: Job;
  attempt: Attempt;
  /** What the broker does next: `retry` here, `move` to the next target, `fail`, or `done`. */
  next: 'done' | 'retry' | 'move' | 'fail';
  usage?: { inputTokens: number; outputTokens: number };
  costUsd?: number;
}

export interface BrokerHooks {
  /** After every recorded attempt: a provider call, or a target skipped without one. */
  attempt?(event: AttemptEvent): void;
  /** After a job became terminal in this process. */
  finished?(job: Job, status: JobStatus): void;
}

/** Moves jobs between targets and queues; every terminal job goes through it. */
export interface Dispatcher {
  /**
   * Adds the job's entry on `target`'s queue and its deadline timer (both idempotent); the entry
   * waits `delayMs` first (a retry after a failed call on the synchronous fast path).
   */
  enqueue(job: Job, target: number, options?: { delayMs?: number }): Promise<void>;
  /**
   * Moves a job from `from` to the next target (or fails it when none is left), if its status
   * is one of `statuses` (default queued or running). Idempotent. True when this call moved it.
   */
  moveOn(job: Job, from: number, attempt?: Attempt, statuses?: JobStatus[]): Promise<boolean>;
  /** Records a decision not to call `target` (no reservation was made), as the policy says. */
  skip(
    job: Job,
    target: number,
    outcome: AttemptOutcome,
    message: string,
    statuses?: JobStatus[],
  ): Promise<boolean>;
  /** Ends a job in one of `statuses` (default running) as failed with `error`, recording `attempt`. */
  fail(
    job: Job,
    target: number,
    error: { code: string; message: string },
    attempt?: Attempt,
    statuses?: JobStatus[],
  ): Promise<boolean>;
  /**
   * Removes the job's deadline timer on `target`, once the job has left that target's queue (it
   * finished, or moved on): a timer must not outlive its job. No-op on the last target.
   */
  clearDeadline(job: Pick<Job, 'id' | 'plan'>, target: number): Promise<void>;
  /**
   * Queues the follow-ups of a job that just became terminal (idempotent); call after every
   * terminal transition. Callback URL and batch never change, so the caller's copy will do.
   */
  afterTerminal(job: Pick<Job, 'id' | 'callback_url' | 'batch_id'>): Promise<void>;
}

export function createDispatcher(deps: {
  store: JobStore;
  queues: Queues;
  keys: Keys;
  latency: LatencyStats;
  estimateStart: EstimateStart;
  fairShare: FairShare;
  hooks: BrokerHooks;
  /** A job leaves a target this long before its last feasible start there (`scheduling.deadlineMargin`). */
  marginMs: number;
  /** Whether terminal jobs have follow-ups to run (the broker's `onTerminal`). */
  followsUp: boolean;
}): Dispatcher {
  const { store, queues, keys, latency, estimateStart, fairShare, hooks } = deps;

  async function enqueue(job: Job, target: number, options: { delayMs?: number } = {}): Promise<void> {
    const planned = job.plan[target];
    if (!planned) return;
    const hasNext = target < job.plan.length - 1;
    let deadlineDelay = 0;
    if (hasNext) {
      const latencyMs = await latency.expectedMs(planned.provider);
      deadlineDelay = job.deadline - latencyMs - deps.marginMs - Date.now();
      if (deadlineDelay <= 0 && target > 0) {
        // Arrived late (see LATE_ARRIVAL_GRACE_SHARE). Measured before the job joins the queue.
        const inputTokens = estimateInputTokens(job.request.messages, job.request.tools);
        const need = { inputTokens, maxTokens: job.request.maxTokens };
        const wait = await estimateStart(planned, need, job.priority, job.tenant);
        if (wait === 0)
          deadlineDelay = Math.min(
            deps.marginMs * LATE_ARRIVAL_GRACE_SHARE,
            job.deadline - latencyMs - Date.now(),
          );
      }
      // A synchronous call waits here (busy, paused, refusing) only as long as its patience.
      if (job.sync_wait_ms !== undefined) deadlineDelay = Math.min(deadlineDelay, job.sync_wait_ms);
    }
    const entry: QueuedJob = { id: job.id, target };
    const queue = queues.provider(planned.provider);
    const entryId = `${job.id}-${target}`;
    // A synchronous call's timer is its patience, not a latest start: nothing to promote.
    const promotes = hasNext && job.sync_wait_ms === undefined;
    // Already within PROMOTE_AHEAD_MS of its latest start: promoted from the start.
    const urgent = promotes && deadlineDelay <= PROMOTE_AHEAD_MS;
    // Whether a finished entry is kept is the provider worker's setting (provider-worker.ts).
    await queue.add('job', entry, {
      jobId: entryId,
      priority: urgent ? URGENT_PRIORITY : fairShare.parkedPriority(job),
      attempts: 3,
      backoff: { type: 'exponential', delay: 1_000 },
      ...(options.delayMs ? { delay: options.delayMs } : {}),
    });
    // The job's turn among the tenants waiting on this queue (queue-priority.ts has the layout).
    if (!urgent) await fairShare.tag(queue, job, entryId);
    if (hasNext) {
      const promoteMs = promotes && !urgent ? PROMOTE_AHEAD_MS : 0;
      await queues.get(keys.deadlineQueue).add('deadline', promoteMs ? { ...entry, promoteMs } : entry, {
        jobId: `${job.id}-${target}-deadline`,
        delay: Math.max(0, deadlineDelay - promoteMs),
        removeOnComplete: true,
        removeOnFail: { age: DAY_S },
      });
    }
  }

  async function clearDeadline(job: Pick<Job, 'id' | 'plan'>, target: number): Promise<void> {
    if (target >= job.plan.length - 1) return;
    // A timer that is running right now is locked and stays: it finds the job gone and ends.
    await queues
      .get(keys.deadlineQueue)
      .remove(`${job.id}-${target}-deadline`)
      .catch(() => 0);
  }

  async function afterTerminal(job: Pick<Job, 'id' | 'callback_url' | 'batch_id'>): Promise<void> {
    // The finalize worker checks the job is terminal before acting on it.
    if (!deps.followsUp || (!job.callback_url && !job.batch_id)) return;
    await queues.get(keys.finalizeQueue).add(
      'finalize',
      { id: job.id },
      {
        jobId: `${job.id}-final`,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: { age: 7 * DAY_S },
      },
    );
  }

  async function fail(
    job: Job,
    target: number,
    error: { code: string; message: string },
    attempt?: Attempt,
    statuses: JobStatus[] = ['running'],
  ): Promise<boolean> {
    const failed = await store.transition(job.id, {
      target,
      from: statuses,
      to: 'failed',
      set: { completed_at: new Date().toISOString(), error: JSON.stringify(error) },
      attempt,
    });
    if (!failed.applied) return false;
    if (attempt) hooks.attempt?.({ job, attempt, next: 'fail' });
    hooks.finished?.(job, 'failed');
    await Promise.all([afterTerminal(job), clearDeadline(job, target)]);
    return true;
  }

  async function moveOn(
    job: Job,
    from: number,
    attempt?: Attempt,
    statuses: JobStatus[] = ['queued', 'running'],
  ): Promise<boolean> {
    const next = from + 1;
    if (next >= job.plan.length) {
      const last = attempt ?? job.attempts.at(-1);
      const message = `Every target of the route failed; the last said: ${last?.error?.message ?? last?.outcome ?? 'nothing'}`;
      return fail(job, from, { code: 'all_targets_failed', message }, attempt, statuses);
    }
    const moved = await store.transition(job.id, {
      target: from,
      from: statuses,
      to: 'queued',
      set: { target: String(next), tries: '0' },
      attempt,
    });
    if (moved.applied && attempt) hooks.attempt?.({ job, attempt, next: 'move' });
    if (moved.applied || moved.target === next)
      await Promise.all([enqueue(job, next), clearDeadline(job, from)]);
    return moved.applied;
  }

  async function skip(
    job: Job,
    target: number,
    outcome: AttemptOutcome,
    message: string,
    statuses?: JobStatus[],
  ): Promise<boolean> {
    const planned = job.plan[target]!;
    const now = new Date().toISOString();
    const attempt: Attempt = {
      ...planned,
      outcome: 'skipped',
      error: { code: outcome, message },
      started_at: now,
      finished_at: now,
      latency_ms: 0,
    };
    const decision = decide(outcome, {
      tries: job.tries,
      retriesPerTarget: 0,
      msUntilLatestStart: 0,
      hasNextTarget: target < job.plan.length - 1,
    });
    if (decision.action === 'fail') return fail(job, target, { code: outcome, message }, attempt, statuses);
    return moveOn(job, target, attempt, statuses);
  }

  return { enqueue, moveOn, skip, fail, clearDeadline, afterTerminal };
}
