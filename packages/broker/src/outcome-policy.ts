import type { AttemptOutcome as ProviderOutcome } from '@switchyard/spec';

/**
 * Every way an attempt on a target can end without an answer: the provider outcomes of the
 * taxonomy (`@switchyard/spec`), and what the broker itself finds.
 */
export type AttemptOutcome =
  | ProviderOutcome
  /** The provider's stream broke after the client received part of the answer. */
  | 'stream_interrupted'
  /** The job's tokens exceed one of the target's token limits: it can never run there. */
  | 'quota_never_fits'
  /** The target's quota frees too late for the job's deadline. */
  | 'quota_wait_exceeds_deadline'
  /** The target's quota is spent, and the next target, of the same cost tier, starts the job sooner. */
  | 'quota_sooner_elsewhere'
  /** The job cannot start on the target before its deadline (at submission, or still waiting). */
  | 'deadline_unreachable';

/** What happens to the job after the attempt. */
export type Next =
  /**
   * Call the same target again once the provider's retry-after passes, while the deadline (or a
   * synchronous call's patience) allows and it refused at most `scheduling.refusalsBeforeMove` times.
   */
  | 'wait'
  /** Call the same target again with backoff, up to `scheduling.retriesPerTarget` extra calls. */
  | 'retry'
  /** Go to the next target of the route plan (the job fails when there is none). */
  | 'move'
  /** End the job: no target can do better. */
  | 'fail';

export interface Policy {
  next: Next;
  /** Pauses the provider's queue for every worker: for the provider's retry-after, else this long. */
  pauseMs?: number;
  /**
   * The provider counted the call against its limits: the quota reservation is settled (kept,
   * with the tokens sent). Otherwise it is released, as if the call never happened.
   */
  settlesQuota: boolean;
  /** A refusal despite our accounting: our view of the provider's limits shrinks (x0.9, 10 min). */
  tightensQuota: boolean;
  /** A fault of the provider: counts against its circuit breaker. */
  countsAgainstBreaker: boolean;
  /** The synchronous API's answer when the job ends with this outcome. */
  http: { status: number; code: string };
}

const DEFAULT_RATE_LIMIT_PAUSE_MS = 1_000;
const DEFAULT_QUOTA_EXHAUSTED_PAUSE_MS = 60_000;

const transient = (code: string, status: number): Policy => ({
  next: 'retry',
  settlesQuota: true,
  tightensQuota: false,
  countsAgainstBreaker: true,
  http: { status, code },
});

const skip = (code: string): Policy => ({
  next: 'move',
  settlesQuota: false,
  tightensQuota: false,
  countsAgainstBreaker: false,
  http: { status: 503, code },
});

/** The one table that says what every outcome means. `docs/outcomes.md` prints it. */
export const OUTCOME_POLICY: Readonly<Record<AttemptOutcome, Policy>> = {
  rate_limited: {
    next: 'wait',
    pauseMs: DEFAULT_RATE_LIMIT_PAUSE_MS,
    settlesQuota: false,
    tightensQuota: true,
    countsAgainstBreaker: false,
    http: { status: 429, code: 'rate_limited' },
  },
  quota_exhausted: {
    next: 'move',
    pauseMs: DEFAULT_QUOTA_EXHAUSTED_PAUSE_MS,
    settlesQuota: false,
    tightensQuota: false,
    countsAgainstBreaker: false,
    http: { status: 429, code: 'quota_exhausted' },
  },
  server_error: transient('server_error', 502),
  timeout: transient('timeout', 504),
  network_error: transient('network_error', 502),
  connection_failed: { ...transient('connection_failed', 502), settlesQuota: false },
  bad_response: transient('bad_response', 502),
  context_length_exceeded: {
    next: 'move',
    settlesQuota: true,
    tightensQuota: false,
    countsAgainstBreaker: false,
    http: { status: 400, code: 'context_length_exceeded' },
  },
  authentication_failed: {
    next: 'move',
    settlesQuota: false,
    tightensQuota: false,
    countsAgainstBreaker: true,
    http: { status: 502, code: 'authentication_failed' },
  },
  content_filtered: {
    next: 'move',
    settlesQuota: true,
    tightensQuota: false,
    countsAgainstBreaker: false,
    http: { status: 400, code: 'content_filtered' },
  },
  invalid_request: {
    next: 'fail',
    settlesQuota: true,
    tightensQuota: false,
    countsAgainstBreaker: false,
    http: { status: 400, code: 'invalid_request' },
  },
  stream_interrupted: {
    next: 'fail',
    settlesQuota: true,
    tightensQuota: false,
    countsAgainstBreaker: true,
    http: { status: 502, code: 'stream_interrupted' },
  },
  quota_never_fits: { ...skip('quota_never_fits'), http: { status: 422, code: 'quota_never_fits' } },
  quota_wait_exceeds_deadline: skip('quota_wait_exceeds_deadline'),
  quota_sooner_elsewhere: skip('quota_sooner_elsewhere'),
  deadline_unreachable: skip('deadline_unreachable'),
};

/** How a job that ended without a result answers on the synchronous API, by its error code. */
const JOB_ERROR_STATUS: Record<string, number> = {
  all_targets_failed: 502,
  cancelled: 499,
  internal_error: 500,
  deadline_exceeded: 504,
};

/** The HTTP status of a failed job's error code: the outcome's, or the broker's own. */
export function httpStatusOf(code: string): number {
  return isAttemptOutcome(code) ? OUTCOME_POLICY[code].http.status : (JOB_ERROR_STATUS[code] ?? 502);
}

export function isAttemptOutcome(value: string): value is AttemptOutcome {
  return Object.hasOwn(OUTCOME_POLICY, value);
}

/** What happens to a job after a failed attempt. */
export type Decision = { action: 'retry'; delayMs: number } | { action: 'move' } | { action: 'fail' };

export interface FailureContext {
  /** Calls already made on this target, including the one that just failed. */
  tries: number;
  /** Extra calls allowed on one target after a transient failure. */
  retriesPerTarget: number;
  /** What the provider asked for (Retry-After and friends). */
  retryAfterMs?: number;
  /**
   * Milliseconds left until the job must have started here: to meet its deadline, or, for a
   * synchronous call, before its patience on this target runs out.
   */
  msUntilLatestStart: number;
  /** 429 refusals in a row on this target, including the one that just happened. */
  refusals?: number;
  /** Refusals taken on one target before moving on (`scheduling.refusalsBeforeMove`). */
  refusalsBeforeMove?: number;
  hasNextTarget: boolean;
  /** 0..1, for backoff jitter; injectable for tests. */
  random?: number;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

/** Turns an outcome's `next` into a decision for this job, given its deadline and tries. */
export function decide(outcome: AttemptOutcome, context: FailureContext): Decision {
  const { next } = OUTCOME_POLICY[outcome];
  if (next === 'fail' || next === 'move') return { action: next };
  if (next === 'wait') {
    const delayMs = context.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS;
    if (!context.hasNextTarget) return { action: 'retry', delayMs };
    // A provider that keeps refusing is not about to answer: the next target is the better bet.
    const refusedTooOften =
      (context.refusals ?? 0) > (context.refusalsBeforeMove ?? Number.POSITIVE_INFINITY);
    if (delayMs > context.msUntilLatestStart || refusedTooOften) return { action: 'move' };
    return { action: 'retry', delayMs };
  }
  if (context.tries > context.retriesPerTarget) return { action: 'move' };
  const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (context.tries - 1));
  const jittered = Math.round(exponential * (0.5 + (context.random ?? Math.random()) / 2));
  const delayMs = Math.max(jittered, context.retryAfterMs ?? 0);
  if (context.hasNextTarget && delayMs > context.msUntilLatestStart) return { action: 'move' };
  return { action: 'retry', delayMs };
}

/** How long the provider's whole queue pauses after this outcome (0: it does not). */
export function pauseMsOf(outcome: AttemptOutcome, retryAfterMs: number | undefined): number {
  const { pauseMs } = OUTCOME_POLICY[outcome];
  return pauseMs === undefined ? 0 : (retryAfterMs ?? pauseMs);
}
