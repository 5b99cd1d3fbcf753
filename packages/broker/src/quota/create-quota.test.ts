import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../keys.ts';
import { createQuota, type Quota, type QuotaLimit } from './create-quota.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './test-support.ts';

// Sliding windows, with an injected clock (milliseconds from 0) so every figure is exact.

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

const HOLD = 30_000;
const requests = (max: number, window: number, scope = 'provider'): QuotaLimit => ({
  scope,
  unit: 'requests',
  max,
  window,
});
const tokens = (max: number, window: number, scope = 'provider'): QuotaLimit => ({
  scope,
  unit: 'tokens',
  max,
  window,
});

/** A fresh provider and shorthands bound to it and its limits. */
function providerWith(limits: QuotaLimit[]) {
  const provider = `provider-${++providers}`;
  return {
    provider,
    acquire: (reservationId: string, now: number, amount = 0, holdMs = HOLD) =>
      quota.acquire({ provider, limits, reservationId, tokens: amount, holdMs, now }),
    settle: (reservationId: string, now: number, reservedTokens = 0, usedTokens = reservedTokens) =>
      quota.settle({ provider, limits, reservationId, reservedTokens, usedTokens, now }),
    release: (reservationId: string, now: number, reservedTokens = 0) =>
      quota.release({ provider, limits, reservationId, reservedTokens, now }),
    usage: (now: number) => quota.usage({ provider, limits, now }),
    /** acquire then settle at the same instant (a call answered at once). */
    async call(reservationId: string, now: number, amount = 0) {
      const result = await quota.acquire({
        provider,
        limits,
        reservationId,
        tokens: amount,
        holdMs: HOLD,
        now,
      });
      if (result.granted)
        await quota.settle({
          provider,
          limits,
          reservationId,
          reservedTokens: amount,
          usedTokens: amount,
          now,
        });
      return result;
    },
  };
}

describe('requests in a sliding window', () => {
  it('admits max per window and says exactly when the next one fits', async () => {
    const p = providerWith([requests(5, 1000)]);
    for (let t = 0; t < 5; t += 1) expect(await p.call(`r${t}`, t)).toEqual({ granted: true });

    // The oldest settled entry (t=0) leaves the window at 1000.
    expect(await p.call('late', 10)).toEqual({ granted: false, retryAfterMs: 990, limitIndex: 0 });
    expect(await p.call('late', 999)).toEqual({ granted: false, retryAfterMs: 1, limitIndex: 0 });
    expect(await p.usage(999)).toEqual([{ used: 5, remaining: 0, resetMs: 1 }]);

    // At the boundary t=0 no longer counts (an entry counts while score > now - window).
    expect(await p.call('late', 1000)).toEqual({ granted: true });
    expect(await p.call('later', 1000)).toEqual({ granted: false, retryAfterMs: 1, limitIndex: 0 });
    expect(await p.call('later', 1001)).toEqual({ granted: true });
    expect(await p.usage(1001)).toEqual([{ used: 5, remaining: 0, resetMs: 1 }]);
  });

  it('assumes a pending call settles now: it frees a whole window later', async () => {
    const p = providerWith([requests(2, 1000)]);
    expect(await p.acquire('a', 0)).toEqual({ granted: true });
    expect(await p.acquire('b', 100)).toEqual({ granted: true });
    expect(await p.acquire('c', 500)).toEqual({ granted: false, retryAfterMs: 1000, limitIndex: 0 });
  });

  it('keeps a pending entry through a long call, then re-times it to the answer', async () => {
    const p = providerWith([requests(2, 1000)]);
    expect(await p.acquire('long', 0, 0, 60_000)).toEqual({ granted: true });
    // Five windows later the call is still running: it still counts.
    expect(await p.usage(5000)).toEqual([{ used: 1, remaining: 1, resetMs: 1000 }]);
    expect(await p.acquire('short', 5000, 0, 60_000)).toEqual({ granted: true });
    expect(await p.acquire('third', 5050)).toEqual({ granted: false, retryAfterMs: 1000, limitIndex: 0 });

    // Answered at 5100: it counts until 6100, no longer until 60000 + 1000.
    await p.settle('long', 5100);
    expect(await p.acquire('third', 6000)).toEqual({ granted: false, retryAfterMs: 100, limitIndex: 0 });
    expect(await p.usage(6099)).toEqual([{ used: 2, remaining: 0, resetMs: 1 }]);
    expect(await p.acquire('third', 6100)).toEqual({ granted: true });
  });

  it('lets a pending entry of a dead worker age out after its hold', async () => {
    const p = providerWith([requests(1, 1000)]);
    expect(await p.acquire('crashed', 0, 0, 5000)).toEqual({ granted: true });
    expect(await p.acquire('next', 5999)).toEqual({ granted: false, retryAfterMs: 1, limitIndex: 0 });
    expect(await p.acquire('next', 6000)).toEqual({ granted: true });
  });
});

describe('tokens in a sliding window', () => {
  it('walks the oldest entries until enough tokens are freed', async () => {
    const p = providerWith([tokens(100, 1000)]);
    expect(await p.call('a', 0, 30)).toEqual({ granted: true });
    expect(await p.call('b', 100, 50)).toEqual({ granted: true });
    expect(await p.call('c', 200, 15)).toEqual({ granted: true });

    // 95 used: 10 more needs 5 freed, i.e. entry a (t=0) to leave.
    expect(await p.call('d', 300, 10)).toEqual({ granted: false, retryAfterMs: 700, limitIndex: 0 });
    // 40 more needs 35 freed: a (30) is not enough, b (t=100) too.
    expect(await p.call('d', 300, 40)).toEqual({ granted: false, retryAfterMs: 800, limitIndex: 0 });
    expect(await p.call('e', 300, 5)).toEqual({ granted: true });
    expect(await p.usage(300)).toEqual([{ used: 100, remaining: 0, resetMs: 700 }]);

    expect(await p.call('d', 999, 30)).toEqual({ granted: false, retryAfterMs: 1, limitIndex: 0 });
    expect(await p.call('d', 1000, 30)).toEqual({ granted: true });
    expect(await p.usage(1100)).toEqual([{ used: 50, remaining: 50, resetMs: 100 }]);
  });

  it('answers -1 for a request larger than the limit, and reserves nothing', async () => {
    const p = providerWith([requests(10, 1000), tokens(100, 1000, 'model-a')]);
    expect(await p.acquire('huge', 0, 101)).toEqual({ granted: false, retryAfterMs: -1, limitIndex: 1 });
    expect(await p.usage(0)).toEqual([
      { used: 0, remaining: 10, resetMs: 0 },
      { used: 0, remaining: 100, resetMs: 0 },
    ]);
    expect(await p.acquire('whole', 0, 100)).toEqual({ granted: true });
  });

  it('frees the difference when the call used fewer tokens than reserved', async () => {
    const p = providerWith([tokens(100, 1000)]);
    expect(await p.acquire('a', 0, 80)).toEqual({ granted: true });
    expect(await p.acquire('b', 5, 80)).toEqual({ granted: false, retryAfterMs: 1000, limitIndex: 0 });
    await p.settle('a', 10, 80, 20);
    expect(await p.usage(10)).toEqual([{ used: 20, remaining: 80, resetMs: 1000 }]);
    expect(await p.acquire('b', 20, 80)).toEqual({ granted: true });

    // A retried settle counts once.
    await p.settle('a', 30, 80, 20);
    expect(await p.usage(30)).toEqual([{ used: 100, remaining: 0, resetMs: 980 }]);
    // More tokens than reserved are counted too (the provider counted them).
    await p.settle('b', 40, 80, 90);
    expect(await p.usage(40)).toEqual([{ used: 110, remaining: 0, resetMs: 970 }]);
    expect(await p.usage(1010)).toEqual([{ used: 90, remaining: 10, resetMs: 30 }]);
    expect(await p.usage(1040)).toEqual([{ used: 0, remaining: 100, resetMs: 0 }]);
  });
});

describe('several limits', () => {
  it('reserves all or nothing, and reports the limit that frees last', async () => {
    const limits = [requests(10, 1000), tokens(100, 60_000, 'model-a'), requests(3, 2000, 'model-a')];
    const p = providerWith(limits);
    expect(await p.call('a', 0, 80)).toEqual({ granted: true });
    // The token limit refuses: nothing is reserved on the request limits either.
    expect(await p.call('b', 10, 30)).toEqual({ granted: false, retryAfterMs: 59_990, limitIndex: 1 });
    expect((await p.usage(10)).map((limit) => limit.used)).toEqual([1, 80, 1]);

    expect(await p.call('c', 20, 10)).toEqual({ granted: true });
    expect(await p.call('d', 30, 5)).toEqual({ granted: true });
    // Now the model's 3 requests / 2 s and its tokens both refuse: the longer wait wins.
    expect(await p.call('e', 40, 20)).toEqual({ granted: false, retryAfterMs: 59_960, limitIndex: 1 });
    expect(await p.call('e', 40, 5)).toEqual({ granted: false, retryAfterMs: 1960, limitIndex: 2 });
    expect((await p.usage(40)).map((limit) => limit.used)).toEqual([3, 95, 3]);
  });

  it('counts a limit listed twice once, under the smaller max', async () => {
    const p = providerWith([requests(5, 1000), requests(2, 1000)]);
    expect(await p.call('a', 0)).toEqual({ granted: true });
    expect(await p.call('b', 1)).toEqual({ granted: true });
    expect(await p.call('c', 2)).toEqual({ granted: false, retryAfterMs: 998, limitIndex: 1 });
    expect(await p.usage(2)).toEqual([
      { used: 2, remaining: 3, resetMs: 998 },
      { used: 2, remaining: 0, resetMs: 998 },
    ]);
  });
});

describe('idempotency', () => {
  it('counts a resent acquire once', async () => {
    const p = providerWith([requests(2, 1000), tokens(100, 1000)]);
    expect(await p.acquire('a', 0, 60)).toEqual({ granted: true });
    expect(await p.acquire('a', 1, 60)).toEqual({ granted: true });
    expect((await p.usage(1)).map((limit) => limit.used)).toEqual([1, 60]);
  });

  it('releases once, and never a settled or unknown reservation', async () => {
    const p = providerWith([requests(2, 1000), tokens(100, 1000)]);
    expect(await p.acquire('a', 0, 60)).toEqual({ granted: true });
    await p.release('a', 10, 60);
    await p.release('a', 20, 60);
    await p.release('unknown', 20, 60);
    expect((await p.usage(20)).map((limit) => limit.used)).toEqual([0, 0]);
    // Settling a released reservation does nothing.
    await p.settle('a', 30, 60, 60);
    expect((await p.usage(30)).map((limit) => limit.used)).toEqual([0, 0]);

    expect(await p.call('b', 40, 60)).toEqual({ granted: true });
    await p.release('b', 50, 60);
    expect((await p.usage(50)).map((limit) => limit.used)).toEqual([1, 60]);
  });

  it('ignores a settle after the entry left the window', async () => {
    const p = providerWith([tokens(100, 1000)]);
    expect(await p.acquire('a', 0, 50, 500)).toEqual({ granted: true });
    await p.settle('a', 1500, 50, 50);
    expect(await p.usage(1500)).toEqual([{ used: 0, remaining: 100, resetMs: 0 }]);
  });
});

describe('tighten', () => {
  it('halves every max for a while, never below half, then expires', async () => {
    const p = providerWith([requests(10, 1000)]);
    expect(await quota.tighten({ provider: p.provider, factor: 0.5, ttlMs: 300 })).toBe(0.5);
    expect(await quota.tighten({ provider: p.provider, factor: 0.5, ttlMs: 300 })).toBe(0.5);
    expect(await p.usage(0)).toEqual([{ used: 0, remaining: 5, resetMs: 0 }]);
    for (let t = 0; t < 5; t += 1) expect(await p.call(`r${t}`, t)).toEqual({ granted: true });
    expect(await p.call('sixth', 5)).toEqual({ granted: false, retryAfterMs: 995, limitIndex: 0 });

    // The scale lives 300 ms of Redis time: then the full max applies again.
    await waitUntil(async () => (await p.usage(5))[0]!.remaining > 0);
    expect(await p.usage(5)).toEqual([{ used: 5, remaining: 5, resetMs: 995 }]);
    expect(await p.call('sixth', 5)).toEqual({ granted: true });
  });

  it('makes a call that fits only the full max wait for the scale to expire', async () => {
    const p = providerWith([requests(10, 1000), tokens(100, 1000)]);
    await quota.tighten({ provider: p.provider, factor: 0.5, ttlMs: 400 });
    const large = await p.acquire('large', 0, 60);
    if (large.granted) throw new Error('a call larger than the tightened max was granted');
    expect(large.limitIndex).toBe(1);
    expect(large.retryAfterMs).toBeGreaterThan(0);
    expect(large.retryAfterMs).toBeLessThanOrEqual(400);
    expect(await p.acquire('small', 0, 50)).toEqual({ granted: true });
  });

  it('applies max(1, floor(max * scale))', async () => {
    const p = providerWith([requests(1, 1000), requests(3, 1000, 'model-a')]);
    expect(await quota.tighten({ provider: p.provider, factor: 0.7, ttlMs: 10_000 })).toBe(0.7);
    expect(await p.usage(0)).toEqual([
      { used: 0, remaining: 1, resetMs: 0 },
      { used: 0, remaining: 2, resetMs: 0 },
    ]);
    expect(await p.call('a', 0)).toEqual({ granted: true });
    expect(await p.call('b', 1)).toEqual({ granted: false, retryAfterMs: 999, limitIndex: 0 });
  });
});

/** Polls `condition` (Redis time passes, not the injected one) for up to 2 s. */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('keys', () => {
  it('keeps every key of one provider in its hash slot and lets them expire', async () => {
    const p = providerWith([requests(10, 1000), tokens(100, 60_000, 'model-a')]);
    expect(await p.acquire('a', 0, 10, 5000)).toEqual({ granted: true });
    const found = await redis.keys(`${prefix}:quota:{${p.provider}}:*`);
    expect(found.sort()).toEqual([
      keys.quota(p.provider, 'model-a', 'tokens', '1m'),
      keys.quota(p.provider, 'model-a', 'tokens', '1m:sum'),
      keys.quota(p.provider, 'provider', 'requests', '1s'),
    ]);
    for (const key of found) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(key.includes(':1m') ? 65_000 : 6000);
    }
  });
});
