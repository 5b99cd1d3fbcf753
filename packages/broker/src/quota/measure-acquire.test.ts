import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKeys } from '../keys.ts';
import { measureAcquire } from './measure-acquire.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './test-support.ts';

const prefix = testPrefix();
let redis: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

it('measures acquire + settle and leaves no key behind', async () => {
  const opsPerSecond = await measureAcquire(redis, 300, { concurrency: 4, keys: createKeys(prefix) });
  expect(opsPerSecond).toBeGreaterThan(0);
  expect(await deleteKeys(redis, prefix)).toBe(0);
});
