import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createKeys, type Keys } from '../keys.ts';
import { createQuota, type QuotaLimit } from './create-quota.ts';
import { limitArguments } from './limit-arguments.ts';

/** A provider with the usual mix: requests and tokens per minute and day, tokens per month. */
const LIMITS: QuotaLimit[] = [
  { scope: 'provider', unit: 'requests', max: 1_000_000_000, window: 60_000 },
  { scope: 'provider', unit: 'tokens', max: 1_000_000_000, window: 60_000 },
  { scope: 'provider', unit: 'requests', max: 1_000_000_000, window: 86_400_000 },
  { scope: 'bench-model', unit: 'tokens', max: 1_000_000_000, window: 'month' },
];

export interface MeasureOptions {
  /** Calls in flight at once on the connection (ioredis pipelines them). Default 1. */
  concurrency?: number;
  /** Where to put the keys; a fresh `bench-<uuid>` prefix by default. Deleted afterwards. */
  keys?: Keys;
}

/**
 * Operations per second of acquire + settle (one reservation's round trip, two scripts)
 * on a provider with four limits that always admit the call. The windows fill with `n`
 * entries as it runs, as they would in production.
 */
export async function measureAcquire(redis: Redis, n: number, options: MeasureOptions = {}): Promise<number> {
  const keys = options.keys ?? createKeys(`bench-${randomUUID()}`);
  const quota = createQuota(redis, keys);
  const provider = 'bench';
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const reservationId = `call-${next++}`;
      const result = await quota.acquire({
        provider,
        limits: LIMITS,
        reservationId,
        tokens: 500,
        holdMs: 60_000,
      });
      if (!result.granted) throw new Error(`refused: ${JSON.stringify(result)}`);
      await quota.settle({ provider, limits: LIMITS, reservationId, reservedTokens: 500, usedTokens: 300 });
    }
  };
  const started = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return n / seconds;
  } finally {
    const limitKeys = [keys.quotaScale(provider), ...limitArguments(keys, provider, LIMITS).keys];
    await redis.del(...limitKeys);
  }
}
