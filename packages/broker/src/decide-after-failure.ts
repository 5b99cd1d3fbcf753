import type { AttemptOutcome } from '@switchyard/spec';

/** What happens to a job after a failed attempt. */
export type Decision =
  /** Call this provider again after `delayMs`. */
  | { action: 'retry'; delayMs: number }
  /** Go to the next target of the route plan (the job fails when there is none). */
  | { action: 'move' }
  /** The request itself is wrong: no provider will accept it. */
  | { action: 'fail' };

export interface FailureContext {
  /** Calls already made on this target, including the one that just failed. */
  tries: number;
  /** Extra calls allowed on one target after a transient failure. */
  retriesPerTarget: number;
  /** What the provider asked for (Retry-After and friends). */
  retryAfterMs?: number;
  /** Milliseconds left until the job must have started here to meet its deadline. */
  msUntilLatestStart: number;
  hasNextTarget: boolean;
  /** 0..1, for backoff jitter; injectable for tests. */
  random?: number;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/**
 * The one place where an attempt outcome becomes a routing consequence.
 *
 * | outcome                                                   | consequence                                  |
 * |-----------------------------------------------------------|----------------------------------------------|
 * | invalid_request                                           | fail: the same request is wrong everywhere   |
 * | context_length_exceeded, authentication_failed,           | move: another target may have a larger       |
 * | content_filtered, quota_exhausted                         | window, a valid key, other filters, quota    |
 * | rate_limited                                              | wait here for Retry-After while the deadline |
 * |                                                           | allows (always, on the last target), or move |
 * | server_error, timeout, network_error, bad_response        | retry here with backoff up to the retry      |
 * |                                                           | budget and the deadline, then move           |
 */
export function decideAfterFailure(outcome: AttemptOutcome, context: FailureContext): Decision {
  switch (outcome) {
    case 'invalid_request':
      return { action: 'fail' };
    case 'context_length_exceeded':
    case 'authentication_failed':
    case 'content_filtered':
    case 'quota_exhausted':
      return { action: 'move' };
    case 'rate_limited': {
      const delayMs = context.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
      if (!context.hasNextTarget || delayMs <= context.msUntilLatestStart)
        return { action: 'retry', delayMs };
      return { action: 'move' };
    }
    case 'server_error':
    case 'timeout':
    case 'network_error':
    case 'bad_response': {
      if (context.tries > context.retriesPerTarget) return { action: 'move' };
      const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (context.tries - 1));
      const jittered = Math.round(exponential * (0.5 + (context.random ?? Math.random()) / 2));
      const delayMs = Math.max(jittered, context.retryAfterMs ?? 0);
      if (context.hasNextTarget && delayMs > context.msUntilLatestStart) return { action: 'move' };
      return { action: 'retry', delayMs };
    }
  }
}

/** How long a provider's whole queue pauses after this outcome (0: it does not). */
export function providerPauseMs(outcome: AttemptOutcome, retryAfterMs: number | undefined): number {
  if (outcome === 'rate_limited') return retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
  if (outcome === 'quota_exhausted') return retryAfterMs ?? 60_000;
  return 0;
}
