import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../keys.ts';
import { createQuota, type Quota, type QuotaLimit } from './create-quota.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './test-support.ts';

// Calendar days in a time zone and fixed windows, with an injected clock (the period starts are
// computed from it in JavaScript, the counting done by the scripts).

const prefix = testPrefix();
const keys = createKeys(prefix);
let redis: Redis;
let quota: Quota;
let providers = 0;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  quota = createQuota(redis, keys);
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const HOUR = 3_600_000;
const pacificDay: QuotaLimit = {
  scope: 'provider',
  unit: 'requests',
  max: 3,
  window: 'day',
  timeZone: 'America/Los_Angeles',
};

function fresh(limits: QuotaLimit[]) {
  const provider = `provider-${++providers}`;
  return {
    provider,
    acquire: (reservationId: string, now: number | undefined, tokens = 0) =>
      quota.acquire({ provider, limits, reservationId, tokens, holdMs: 60_000, now }),
    settle: (reservationId: string, now: number, reservedTokens = 0, usedTokens = reservedTokens) =>
      quota.settle({ provider, limits, reservationId, reservedTokens, usedTokens, now }),
    usage: (now?: number) => quota.usage({ provider, limits, now }),
  };
}

/** Spends the whole day's max at `now`, each call answered at once. */
async function fill(p: ReturnType<typeof fresh>, now: number, count: number, tag: string) {
  for (let index = 0; index < count; index += 1) {
    expect(await p.acquire(`${tag}${index}`, now)).toEqual({ granted: true });
    await p.settle(`${tag}${index}`, now);
  }
}

describe('calendar days in a time zone', () => {
  it('resets at midnight Pacific time, not at midnight UTC', async () => {
    const p = fresh([pacificDay]);
    const evening = Date.parse('2026-12-02T23:30:00-08:00');
    const midnight = Date.parse('2026-12-03T00:00:00-08:00'); // 08:00 UTC
    await fill(p, Date.parse('2026-12-02T00:00:00-08:00'), 3, 'a');
    expect(await p.acquire('b', evening)).toEqual({
      granted: false,
      retryAfterMs: midnight - evening,
      limitIndex: 0,
    });
    expect(await p.usage(evening)).toEqual([{ used: 3, remaining: 0, resetMs: midnight - evening }]);
    // Midnight UTC came and went in between: nothing freed.
    expect(await p.acquire('b', Date.parse('2026-12-03T00:00:00Z'))).toMatchObject({ granted: false });
    expect(await p.acquire('b', midnight - 1)).toEqual({ granted: false, retryAfterMs: 1, limitIndex: 0 });
    expect(await p.acquire('b', midnight)).toEqual({ granted: true });
  });

  it('waits 25 hours through the day the clocks fall back, and 23 through the day they spring forward', async () => {
    // 1 November 2026: 01:00-02:00 PDT happens twice; the day lasts 25 hours.
    const autumn = fresh([pacificDay]);
    const autumnStart = Date.parse('2026-11-01T00:00:00-07:00');
    const autumnEnd = Date.parse('2026-11-02T00:00:00-08:00');
    expect(autumnEnd - autumnStart).toBe(25 * HOUR);
    await fill(autumn, autumnStart, 3, 'a');
    expect(await autumn.acquire('b', autumnStart)).toEqual({
      granted: false,
      retryAfterMs: 25 * HOUR,
      limitIndex: 0,
    });
    expect(await autumn.acquire('b', autumnStart + 24 * HOUR)).toMatchObject({ granted: false });
    expect(await autumn.acquire('b', autumnEnd)).toEqual({ granted: true });

    // 8 March 2026: 02:00-03:00 PST never happens; the day lasts 23 hours.
    const spring = fresh([pacificDay]);
    const springStart = Date.parse('2026-03-08T00:00:00-08:00');
    await fill(spring, springStart + HOUR, 3, 'a');
    expect(await spring.acquire('b', springStart + HOUR)).toEqual({
      granted: false,
      retryAfterMs: 22 * HOUR,
      limitIndex: 0,
    });
    expect(await spring.acquire('b', springStart + 23 * HOUR)).toEqual({ granted: true });
  });

  it('carries a call still running at midnight into the new day', async () => {
    const p = fresh([pacificDay]);
    const midnight = Date.parse('2026-07-16T00:00:00-07:00');
    await fill(p, midnight - 60_000, 2, 'a');
    expect(await p.acquire('running', midnight - 1_000)).toEqual({ granted: true });
    expect((await p.usage(midnight + 1_000))[0]).toMatchObject({ used: 1, remaining: 2 });
    await p.settle('running', midnight + 2_000);
    expect((await p.usage(midnight + 3_000))[0]).toMatchObject({ used: 1, remaining: 2 });
  });

  it('counts a UTC day on Redis server time', async () => {
    const p = fresh([{ scope: 'provider', unit: 'tokens', max: 100, window: 'day' }]);
    expect(await p.acquire('a', undefined, 60)).toEqual({ granted: true });
    const refused = await p.acquire('b', undefined, 60);
    const untilMidnight = 86_400_000 - (Date.now() % 86_400_000);
    expect(refused).toMatchObject({ granted: false, limitIndex: 0 });
    if (!refused.granted) expect(Math.abs(refused.retryAfterMs - untilMidnight)).toBeLessThan(5_000);
    const [usage] = await p.usage();
    expect(usage).toMatchObject({ used: 60, remaining: 40 });
    expect(await redis.exists(keys.quota(p.provider, 'provider', 'tokens', 'day@UTC'))).toBe(1);
  });
});

describe('fixed windows of a duration', () => {
  it('reset at resetsAt and every window from it', async () => {
    const anchor = Date.parse('2026-12-02T12:00:10Z');
    const p = fresh([{ scope: 'provider', unit: 'requests', max: 2, window: 60_000, resetsAt: anchor }]);
    const start = anchor + 5 * 60_000;
    await fill(p, start + 59_000, 2, 'a');
    expect(await p.acquire('b', start + 59_500)).toEqual({
      granted: false,
      retryAfterMs: 500,
      limitIndex: 0,
    });
    // A sliding window would wait until start + 119,000; the fixed one has reset.
    await fill(p, start + 60_000, 2, 'b');
    expect(await p.acquire('c', start + 60_001)).toEqual({
      granted: false,
      retryAfterMs: 59_999,
      limitIndex: 0,
    });
  });

  it('keeps its counts whatever anchor names the same periods', async () => {
    const limit = (resetsAt: number): QuotaLimit => ({
      scope: 'provider',
      unit: 'requests',
      max: 1,
      window: 1_000,
      resetsAt,
    });
    const p = fresh([limit(500)]);
    const q = { ...p, limits: [limit(10_500)] };
    expect(await p.acquire('a', 20_700)).toEqual({ granted: true });
    const again = await quota.acquire({
      provider: q.provider,
      limits: q.limits,
      reservationId: 'b',
      tokens: 0,
      holdMs: 1_000,
      now: 20_800,
    });
    expect(again).toEqual({ granted: false, retryAfterMs: 700, limitIndex: 0 });
  });
});
