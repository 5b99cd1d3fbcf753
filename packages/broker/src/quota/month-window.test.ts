import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../keys.ts';
import { createQuota, type Quota, type QuotaLimit } from './create-quota.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './test-support.ts';

// Calendar months (UTC), with an injected clock.

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

const DAY = 86_400_000;
const monthlyTokens: QuotaLimit = { scope: 'provider', unit: 'tokens', max: 1000, window: 'month' };
const monthlyRequests: QuotaLimit = { scope: 'model-a', unit: 'requests', max: 3, window: 'month' };

function fresh(limits: QuotaLimit[]) {
  const provider = `provider-${++providers}`;
  const hold = 120_000;
  return {
    provider,
    acquire: (reservationId: string, now: number, tokens: number) =>
      quota.acquire({ provider, limits, reservationId, tokens, holdMs: hold, now }),
    settle: (reservationId: string, now: number, reservedTokens: number, usedTokens = reservedTokens) =>
      quota.settle({ provider, limits, reservationId, reservedTokens, usedTokens, now }),
    release: (reservationId: string, now: number, reservedTokens: number) =>
      quota.release({ provider, limits, reservationId, reservedTokens, now }),
    usage: (now: number) => quota.usage({ provider, limits, now }),
  };
}

describe('month windows', () => {
  it('counts per calendar month and tells the time until the next one', async () => {
    const p = fresh([monthlyTokens]);
    const now = Date.UTC(2026, 10, 30, 23, 59, 0); // 30 Nov 2026, a minute before December
    expect(await p.acquire('a', Date.UTC(2026, 10, 1), 600)).toEqual({ granted: true });
    await p.settle('a', Date.UTC(2026, 10, 1, 0, 0, 5), 600, 400);
    expect(await p.acquire('b', now, 600)).toEqual({ granted: true });
    expect(await p.acquire('c', now, 1)).toEqual({ granted: false, retryAfterMs: 60_000, limitIndex: 0 });
    expect(await p.usage(now)).toEqual([{ used: 1000, remaining: 0, resetMs: 60_000 }]);
    expect(await p.acquire('huge', now, 1001)).toEqual({ granted: false, retryAfterMs: -1, limitIndex: 0 });

    // The counter expires a day after its month ends.
    const ttl = await redis.pttl(keys.quota(p.provider, 'provider', 'tokens', 'month'));
    expect(ttl).toBeGreaterThan(60_000 + DAY - 1000);
    expect(ttl).toBeLessThanOrEqual(60_000 + DAY);

    await p.settle('b', now + 1000, 600);
    const december = Date.UTC(2026, 11, 1);
    expect(await p.acquire('c', december - 1, 1)).toEqual({ granted: false, retryAfterMs: 1, limitIndex: 0 });
    expect(await p.acquire('c', december, 1000)).toEqual({ granted: true });
  });

  it('knows the lengths of months, leap years and the turn of the year', async () => {
    const cases = [
      [Date.UTC(2028, 1, 29, 12), Date.UTC(2028, 2, 1)], // 29 Feb of a leap year
      [Date.UTC(2100, 1, 28, 12), Date.UTC(2100, 2, 1)], // 2100 is not a leap year
      [Date.UTC(2026, 11, 31, 23, 0), Date.UTC(2027, 0, 1)],
      [Date.UTC(2027, 0, 1), Date.UTC(2027, 1, 1)],
      [Date.UTC(2026, 3, 30, 23, 59, 59, 999), Date.UTC(2026, 4, 1)],
    ];
    for (const [now, next] of cases) {
      const p = fresh([monthlyRequests]);
      for (const id of ['a', 'b', 'c']) {
        expect(await p.acquire(id, now!, 0)).toEqual({ granted: true });
        await p.settle(id, now!, 0);
      }
      expect(await p.acquire('d', now!, 0)).toEqual({
        granted: false,
        retryAfterMs: next! - now!,
        limitIndex: 0,
      });
      expect(await p.acquire('d', next!, 0)).toEqual({ granted: true });
    }
  });

  it('carries a call still running at midnight into the new month', async () => {
    const p = fresh([monthlyTokens, monthlyRequests]);
    const lastMinute = Date.UTC(2026, 10, 30, 23, 59, 30);
    const december = Date.UTC(2026, 11, 1);
    expect(await p.acquire('running', lastMinute, 300)).toEqual({ granted: true });
    expect(await p.acquire('done', lastMinute, 200)).toEqual({ granted: true });
    await p.settle('done', lastMinute + 10, 200);

    // In December only the running call counts, until it settles (at its answer's time).
    expect(await p.usage(december + 30_000)).toEqual([
      { used: 300, remaining: 700, resetMs: 31 * DAY - 30_000 },
      { used: 1, remaining: 2, resetMs: 31 * DAY - 30_000 },
    ]);
    await p.settle('running', december + 30_000, 300, 250);
    await p.settle('running', december + 30_001, 300, 250);
    expect((await p.usage(december + 40_000)).map((limit) => limit.used)).toEqual([250, 1]);
  });

  it('drops a pending reservation whose hold ran out before the month changed', async () => {
    const p = fresh([monthlyTokens]);
    expect(await p.acquire('crashed', Date.UTC(2026, 10, 30, 12), 300)).toEqual({ granted: true });
    expect(await p.usage(Date.UTC(2026, 11, 1))).toEqual([{ used: 0, remaining: 1000, resetMs: 0 }]);
    await p.settle('crashed', Date.UTC(2026, 11, 1), 300);
    expect(await p.usage(Date.UTC(2026, 11, 1))).toEqual([{ used: 0, remaining: 1000, resetMs: 0 }]);
  });

  it('adjusts the counter on settle and release, once', async () => {
    const p = fresh([monthlyTokens, monthlyRequests]);
    const now = Date.UTC(2026, 5, 15);
    expect(await p.acquire('a', now, 500)).toEqual({ granted: true });
    expect(await p.acquire('b', now, 400)).toEqual({ granted: true });
    await p.settle('a', now + 1, 500, 100);
    await p.settle('a', now + 2, 500, 100);
    await p.release('b', now + 3, 400);
    await p.release('b', now + 4, 400);
    await p.release('a', now + 5, 500); // settled: not released
    expect((await p.usage(now + 6)).map((limit) => limit.used)).toEqual([100, 1]);
    expect(await p.acquire('c', now + 7, 901)).toEqual({
      granted: false,
      retryAfterMs: Date.UTC(2026, 6, 1) - (now + 7),
      limitIndex: 0,
    });
    expect(await p.acquire('c', now + 7, 900)).toEqual({ granted: true });
  });
});
