import { describe, expect, it } from 'vitest';
import { computeRetryDelay, MAX_RETRY_AFTER_MS } from './compute-retry-delay.ts';
import { decideAfterAttempt } from './decide-after-attempt.ts';
import { parseRetryAfter } from './parse-retry-after.ts';

const now = Date.parse('2025-06-01T12:00:00Z');

describe('decideAfterAttempt', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [299, 'delivered'],
    [301, 'retry'],
    [302, 'retry'],
    [304, 'retry'],
    [400, 'retry'],
    [404, 'retry'],
    [410, 'stop'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ])('HTTP %i -> %s', (status, action) => {
    expect(decideAfterAttempt({ kind: 'response', status }, now).action).toBe(action);
  });

  it('says redirects are not followed', () => {
    expect(decideAfterAttempt({ kind: 'response', status: 302 }, now)).toMatchObject({
      error: 'HTTP 302: redirects are not followed',
    });
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(decideAfterAttempt({ kind: 'response', status: 429, retryAfter: '7' }, now)).toMatchObject({
      action: 'retry',
      retryAfterMs: 7_000,
    });
    expect(
      decideAfterAttempt({ kind: 'response', status: 503, retryAfter: 'Sun, 01 Jun 2025 12:01:00 GMT' }, now),
    ).toMatchObject({ action: 'retry', retryAfterMs: 60_000 });
    expect(decideAfterAttempt({ kind: 'response', status: 500, retryAfter: '7' }, now)).not.toHaveProperty(
      'retryAfterMs',
    );
  });

  it('stops on a refused address or an unusable URL, retries timeouts and network errors', () => {
    expect(decideAfterAttempt({ kind: 'refused', message: 'no' }, now).action).toBe('stop');
    expect(decideAfterAttempt({ kind: 'invalid', message: 'no' }, now).action).toBe('stop');
    expect(decideAfterAttempt({ kind: 'timeout', message: 'slow' }, now).action).toBe('retry');
    expect(decideAfterAttempt({ kind: 'network', message: 'ECONNREFUSED' }, now).action).toBe('retry');
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['120', 120_000],
    [' 5 ', 5_000],
    ['Sun, 01 Jun 2025 12:00:30 GMT', 30_000], // IMF-fixdate
    ['Sunday, 01-Jun-25 12:00:30 GMT', 30_000], // RFC 850
    ['Sun Jun  1 12:00:30 2025', 30_000], // asctime (read as local time by Date.parse)
    ['Sun, 01 Jun 2025 11:00:00 GMT', 0], // past
    [undefined, undefined],
    ['', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
  ])('%j -> %j', (value, expected) => {
    const parsed = parseRetryAfter(value, now);
    if (value?.startsWith('Sun Jun')) expect(parsed).toBeTypeOf('number');
    else expect(parsed).toBe(expected);
  });
});

describe('computeRetryDelay', () => {
  const schedule = [0, 5_000, 300_000];

  it('follows the schedule with at most 10% jitter either way', () => {
    expect(computeRetryDelay(schedule, 1, undefined, () => 0)).toBe(4_500);
    expect(computeRetryDelay(schedule, 1, undefined, () => 0.5)).toBe(5_000);
    expect(computeRetryDelay(schedule, 1, undefined, () => 1)).toBe(5_500);
    expect(computeRetryDelay(schedule, 2, undefined, () => 0.5)).toBe(300_000);
    expect(computeRetryDelay(schedule, 0, undefined, () => 1)).toBe(0);
    for (let run = 0; run < 100; run++) {
      const delay = computeRetryDelay(schedule, 2);
      expect(delay).toBeGreaterThanOrEqual(270_000);
      expect(delay).toBeLessThanOrEqual(330_000);
    }
  });

  it('waits for Retry-After when it is longer, up to a day', () => {
    expect(computeRetryDelay(schedule, 1, 60_000, () => 1)).toBe(60_000);
    expect(computeRetryDelay(schedule, 2, 60_000, () => 0.5)).toBe(300_000);
    expect(computeRetryDelay(schedule, 1, 10 * 86_400_000)).toBe(MAX_RETRY_AFTER_MS);
  });
});
