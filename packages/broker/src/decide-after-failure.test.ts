import { ATTEMPT_OUTCOMES } from '@switchyard/spec';
import { describe, expect, it } from 'vitest';
import { decideAfterFailure } from './decide-after-failure.ts';

const base = { tries: 1, retriesPerTarget: 2, msUntilLatestStart: 60_000, hasNextTarget: true, random: 0.5 };

describe('decideAfterFailure', () => {
  it('gives every outcome exactly one consequence', () => {
    const table = Object.fromEntries(
      ATTEMPT_OUTCOMES.map((outcome) => [outcome, decideAfterFailure(outcome, base).action]),
    );
    expect(table).toEqual({
      rate_limited: 'retry',
      quota_exhausted: 'move',
      server_error: 'retry',
      timeout: 'retry',
      network_error: 'retry',
      context_length_exceeded: 'move',
      invalid_request: 'fail',
      authentication_failed: 'move',
      content_filtered: 'move',
      bad_response: 'retry',
    });
  });

  it('retries transient failures with growing backoff, then moves', () => {
    expect(decideAfterFailure('server_error', { ...base, tries: 1 })).toEqual({
      action: 'retry',
      delayMs: 375,
    });
    expect(decideAfterFailure('server_error', { ...base, tries: 2 })).toEqual({
      action: 'retry',
      delayMs: 750,
    });
    expect(decideAfterFailure('server_error', { ...base, tries: 3 })).toEqual({ action: 'move' });
  });

  it('honours Retry-After and moves when waiting would miss the deadline', () => {
    expect(decideAfterFailure('rate_limited', { ...base, retryAfterMs: 20_000 })).toEqual({
      action: 'retry',
      delayMs: 20_000,
    });
    expect(decideAfterFailure('rate_limited', { ...base, retryAfterMs: 90_000 })).toEqual({ action: 'move' });
    expect(decideAfterFailure('server_error', { ...base, retryAfterMs: 90_000 })).toEqual({ action: 'move' });
  });

  it('waits on the last target instead of failing for rate limits', () => {
    expect(
      decideAfterFailure('rate_limited', { ...base, retryAfterMs: 90_000, hasNextTarget: false }),
    ).toEqual({ action: 'retry', delayMs: 90_000 });
  });
});
