import type { QuotaExhaustion } from '@switchyard/spec';
import { DelayedError, RateLimitError } from 'bullmq';
import { arrivedAtTarget } from './arrived-at-target.ts';
import { type AttemptDeps, type Attempting, attemptOf } from './attempt-context.ts';
import type { Job, PlanTarget } from './job.ts';
import { type AttemptOutcome, decide, OUTCOME_POLICY, pauseMsOf } from './outcome-policy.ts';

/** Our view of a provider's limits after it refused a call our accounting admitted. */
const TIGHTEN = { factor: 0.9, ttlMs: 600_000 };

/**
 * After a call that gave no answer: does everything `OUTCOME_POLICY` says the outcome means —
 * the quota settled or released, the queue paused, the quota tightened — then retries the job
 * here, moves it on, or fails it. Throws BullMQ's `RateLimitError` or `DelayedError` to retry.
 */
export async function handleFailure(
  deps: AttemptDeps,
  attempting: Attempting,
  outcome: AttemptOutcome,
  error: { message: string; retryAfterMs?: number; exhausted?: QuotaExhaustion },
): Promise<void> {
  const { job, target, planned, queued, reservation, reservedTokens } = attempting;
  const policy = OUTCOME_POLICY[outcome];
  const providerQueue = deps.queues.provider(attempting.provider.id);
  const finishedAt = Date.now();

  if (reservation.limits.length > 0) {
    if (!policy.settlesQuota) await deps.quota.release({ ...reservation, reservedTokens });
    else {
      // A broken stream produced output we cannot count: keep the whole reservation.
      const usedTokens = outcome === 'stream_interrupted' ? reservedTokens : attempting.inputTokens;
      await deps.quota.settle({ ...reservation, reservedTokens, usedTokens });
    }
    if (policy.tightensQuota) await deps.quota.tighten({ provider: reservation.provider, ...TIGHTEN });
  }
  // A key of a pool refused: that key's group is avoided while the others have room.
  if (outcome === 'rate_limited' && attempting.key)
    deps.backoff?.onKeyOutcome(attempting.key.quotaId, outcome);
  // A spent daily or monthly cap, or spent credits: out of every process's route plans. (For a
  // key pool, the whole provider: spent caps are not kept per key.)
  if (outcome === 'quota_exhausted' && error.exhausted)
    await deps.spentCaps?.record(planned.provider, error.exhausted);
  // One key of a pool refusing does not stop the others: its group is backed off instead.
  const pauseMs = outcome === 'rate_limited' && attempting.key ? 0 : pauseMsOf(outcome, error.retryAfterMs);
  if (pauseMs > 0) await providerQueue.rateLimit(pauseMs);

  const latencyMs = await deps.latency.expectedMs(planned.provider);
  const msUntilDeadlineStart = job.deadline - latencyMs - finishedAt;
  const decision = decide(outcome, {
    tries: job.tries + 1,
    retriesPerTarget: deps.retriesPerTarget,
    retryAfterMs: error.retryAfterMs,
    msUntilLatestStart: Math.min(msUntilDeadlineStart, patienceLeftMs(job, finishedAt)),
    refusals: outcome === 'rate_limited' ? refusalsInARow(job, planned) + 1 : 0,
    refusalsBeforeMove: deps.refusalsBeforeMove,
    hasNextTarget: target < job.plan.length - 1,
  });
  const attempt = attemptOf(planned, outcome, attempting.startedAt, finishedAt, {
    code: outcome,
    message: error.message,
  });

  if (decision.action === 'fail') {
    await deps.dispatcher.fail(job, target, { code: outcome, message: error.message }, attempt);
    return;
  }
  if (decision.action === 'move') {
    await deps.dispatcher.moveOn(job, target, attempt);
    return;
  }
  const back = await deps.store.transition(job.id, { target, from: ['running'], to: 'queued', attempt });
  if (!back.applied) return;
  deps.hooks.attempt?.({ job, attempt, next: 'retry' });
  // The synchronous fast path has no queue entry to put back: the retry joins the queue (the
  // queue's pause, if any, holds it like any other entry).
  if (!queued) return deps.dispatcher.enqueue(job, target, { delayMs: pauseMs > 0 ? 0 : decision.delayMs });
  if (pauseMs > 0) throw new RateLimitError();
  await queued.moveToDelayed(Date.now() + decision.delayMs, attempting.token);
  throw new DelayedError();
}

/** The 429 refusals the job took on this target, in a row, before the current attempt. */
function refusalsInARow(job: Job, planned: PlanTarget): number {
  let refusals = 0;
  for (let index = job.attempts.length - 1; index >= 0; index--) {
    const attempt = job.attempts[index]!;
    const here = attempt.provider === planned.provider && attempt.model === planned.model;
    if (!here || attempt.outcome !== 'rate_limited') break;
    refusals++;
  }
  return refusals;
}

/**
 * What is left of a synchronous call's patience on its current target (`sync_wait_ms`, counted
 * from the job's arrival there); unlimited for every other job.
 */
function patienceLeftMs(job: Job, now: number): number {
  if (job.sync_wait_ms === undefined) return Number.POSITIVE_INFINITY;
  return arrivedAtTarget(job) + job.sync_wait_ms - now;
}
