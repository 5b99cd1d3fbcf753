import { arrivedAtTarget } from '../arrived-at-target.ts';
import type { AttemptDeps } from '../attempt-context.ts';
import type { Job } from '../job.ts';

/**
 * Moves a queued job on, without a call, when its provider is backed off and has refused every
 * call since the job arrived there: waiting would only add another refusal. Never on the last
 * target. True when the job is no longer this worker's to run.
 */
export async function leaveRefusingProvider(deps: AttemptDeps, job: Job, target: number): Promise<boolean> {
  const planned = job.plan[target];
  if (!planned || target >= job.plan.length - 1) return false;
  const state = deps.backoff?.state(planned.provider);
  if (!state || state.until <= Date.now() || state.since > arrivedAtTarget(job)) return false;
  const message = `the provider has refused every call since the job arrived (${state.refusals} rounds of 429)`;
  await deps.dispatcher.skip(job, target, 'rate_limited', message, ['queued']);
  return true;
}
