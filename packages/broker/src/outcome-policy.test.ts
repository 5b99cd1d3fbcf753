import { ATTEMPT_OUTCOMES } from '@switchyard/spec';
import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, decide, httpStatusOf, OUTCOME_POLICY, pauseMsOf } from './outcome-policy.ts';

const base = { tries: 1, retriesPerTarget: 2, msUntilLatestStart: 60_000, hasNextTarget: true, random: 0.5 };

/**
 * Every outcome, and all it means: next step, queue pause (without retry-after), quota settled
 * (else released), quota tightened, counted against the breaker, synchronous HTTP status.
 */
const EXPECTED: Record<AttemptOutcome, [string, number, boolean, boolean, boolean, number]> = {
  rate_limited: ['wait', 1_000, false, true, false, 429],
  quota_exhausted: ['move', 60_000, false, false, false, 429],
  server_error: ['retry', 0, true, false, true, 502],
  timeout: ['retry', 0, true, false, true, 504],
  network_error: ['retry', 0, true, false, true, 502],
  connection_failed: ['retry', 0, false, false, true, 502],
  context_length_exceeded: ['move', 0, true, false, false, 400],
  invalid_request: ['fail', 0, true, false, false, 400],
  authentication_failed: ['move', 0, false, false, true, 502],
  content_filtered: ['move', 0, true, false, false, 400],
  bad_response: ['retry', 0, true, false, true, 502],
  stream_interrupted: ['fail', 0, true, false, true, 502],
  quota_never_fits: ['move', 0, false, false, false, 422],
  quota_wait_exceeds_deadline: ['move', 0, false, false, false, 503],
  quota_sooner_elsewhere: ['move', 0, false, false, false, 503],
  deadline_unreachable: ['move', 0, false, false, false, 503],
};

describe('the outcome policy', () => {
  it('covers every provider outcome of the taxonomy', () => {
    for (const outcome of ATTEMPT_OUTCOMES) expect(OUTCOME_POLICY).toHaveProperty(outcome);
  });

  it.each(Object.entries(EXPECTED) as [AttemptOutcome, (typeof EXPECTED)[AttemptOutcome]][])(
    '%s',
    (outcome, [next, pause, settles, tightens, breaker, status]) => {
      const policy = OUTCOME_POLICY[outcome];
      expect(policy.next).toBe(next);
      expect(pauseMsOf(outcome, undefined)).toBe(pause);
      expect(policy.settlesQuota).toBe(settles);
      expect(policy.tightensQuota).toBe(tightens);
      expect(policy.countsAgainstBreaker).toBe(breaker);
      expect(policy.http).toEqual({ status, code: outcome });
      expect(httpStatusOf(outcome)).toBe(status);
    },
  );

  it('pauses for the provider retry-after when it gave one', () => {
    expect(pauseMsOf('rate_limited', 7_000)).toBe(7_000);
    expect(pauseMsOf('quota_exhausted', 3_600_000)).toBe(3_600_000);
    expect(pauseMsOf('server_error', 7_000)).toBe(0);
  });

  it('answers the broker own failure codes with their statuses', () => {
    expect(httpStatusOf('all_targets_failed')).toBe(502);
    expect(httpStatusOf('cancelled')).toBe(499);
    expect(httpStatusOf('internal_error')).toBe(500);
    expect(httpStatusOf('deadline_exceeded')).toBe(504);
  });
});

describe('decide', () => {
  it('retries transient failures with growing backoff, then moves', () => {
    expect(decide('server_error', { ...base, tries: 1 })).toEqual({ action: 'retry', delayMs: 375 });
    expect(decide('server_error', { ...base, tries: 2 })).toEqual({ action: 'retry', delayMs: 750 });
    expect(decide('server_error', { ...base, tries: 3 })).toEqual({ action: 'move' });
  });

  it('honours Retry-After and moves when waiting would miss the deadline', () => {
    expect(decide('rate_limited', { ...base, retryAfterMs: 20_000 })).toEqual({
      action: 'retry',
      delayMs: 20_000,
    });
    expect(decide('rate_limited', { ...base, retryAfterMs: 90_000 })).toEqual({ action: 'move' });
    expect(decide('server_error', { ...base, retryAfterMs: 90_000 })).toEqual({ action: 'move' });
  });

  it('moves on once a target refused more than refusalsBeforeMove times in a row', () => {
    const refusing = { ...base, retryAfterMs: 1_000, refusalsBeforeMove: 2 };
    expect(decide('rate_limited', { ...refusing, refusals: 1 })).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(decide('rate_limited', { ...refusing, refusals: 2 })).toEqual({ action: 'retry', delayMs: 1_000 });
    expect(decide('rate_limited', { ...refusing, refusals: 3 })).toEqual({ action: 'move' });
    // The last target is the only one left: it is waited for, refusing or not.
    expect(decide('rate_limited', { ...refusing, refusals: 9, hasNextTarget: false })).toEqual({
      action: 'retry',
      delayMs: 1_000,
    });
  });

  it('moves at once when Retry-After passes the slack left (a synchronous call has little)', () => {
    expect(decide('rate_limited', { ...base, retryAfterMs: 1_000, msUntilLatestStart: 999 })).toEqual({
      action: 'move',
    });
    expect(decide('rate_limited', { ...base, retryAfterMs: 1_000, msUntilLatestStart: 1_000 })).toEqual({
      action: 'retry',
      delayMs: 1_000,
    });
  });

  it('waits on the last target instead of failing for rate limits', () => {
    expect(decide('rate_limited', { ...base, retryAfterMs: 90_000, hasNextTarget: false })).toEqual({
      action: 'retry',
      delayMs: 90_000,
    });
  });

  it('moves or fails at once where the table says so', () => {
    expect(decide('invalid_request', base)).toEqual({ action: 'fail' });
    expect(decide('stream_interrupted', base)).toEqual({ action: 'fail' });
    expect(decide('quota_never_fits', base)).toEqual({ action: 'move' });
    expect(decide('content_filtered', base)).toEqual({ action: 'move' });
  });
});
