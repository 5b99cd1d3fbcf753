import { DelayedError, RateLimitError } from 'bullmq';
import { type AttemptDeps, type Attempting, attemptOf } from './attempt-context.ts';
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
  error: { message: string; retryAfterMs?: number },
): Promise<void> {
  const { job, target, planned, queued, reservation, reservedTokens } = attempting;
  const policy = OUTCOME_POLICY[outcome];
  const providerQueue = deps.queues.get(queued.queueName);
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
  const pauseMs = pauseMsOf(outcome, error.retryAfterMs);
  if (pauseMs > 0) await providerQueue.rateLimit(pauseMs);

  const latencyMs = await deps.latency.expectedMs(planned.provider);
  const decision = decide(outcome, {
    tries: job.tries + 1,
    retriesPerTarget: deps.retriesPerTarget,
    retryAfterMs: error.retryAfterMs,
    msUntilLatestStart: job.deadline - latencyMs - finishedAt,
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
  if (pauseMs > 0) throw new RateLimitError();
  await queued.moveToDelayed(Date.now() + decision.delayMs, attempting.token);
  throw new DelayedError();
}
