import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../../../../test/support/poll.ts';
import { createKeys } from '../keys.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../quota/test-support.ts';
import { createProviderBackoff, type ProviderBackoff } from './create-provider-backoff.ts';

// A key pool's groups are backed off one by one; the provider only when every group is.

const prefix = testPrefix();
let redis: Redis;
let backoff: ProviderBackoff;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  backoff = createProviderBackoff({
    redis,
    keys: createKeys(prefix),
    providers: ['pool', 'single'],
    pools: new Map([['pool', ['pool#a', 'pool#b']]]),
  });
});

afterAll(async () => {
  backoff.stop();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

it('backs off a refused group, and the provider once every group is', async () => {
  backoff.onKeyOutcome('pool#a', 'rate_limited');
  await until(() => backoff.isBackedOff('pool#a'), { message: 'group a to be backed off' });
  expect(backoff.isBackedOff('pool#b')).toBe(false);
  expect(backoff.isBackedOff('pool')).toBe(false);
  expect(backoff.state('pool')).toBeUndefined();

  backoff.onKeyOutcome('pool#b', 'rate_limited');
  await until(() => backoff.isBackedOff('pool'), { message: 'the pool to be backed off' });
  const [a, b] = [backoff.state('pool#a')!, backoff.state('pool#b')!];
  expect(backoff.state('pool')).toEqual({
    refusals: 1,
    until: Math.min(a.until, b.until),
    since: Math.max(a.since, b.since),
  });

  // Another process reads the same state from Redis.
  const other = createProviderBackoff({
    redis,
    keys: createKeys(prefix),
    providers: ['pool'],
    pools: new Map([['pool', ['pool#a', 'pool#b']]]),
  });
  await other.refresh();
  expect(other.isBackedOff('pool')).toBe(true);

  backoff.onKeyOutcome('pool#a', 'succeeded');
  await until(async () => (await redis.exists(createKeys(prefix).providerBackoff('pool#a'))) === 0, {
    message: 'group a to be cleared',
  });
  expect(backoff.isBackedOff('pool')).toBe(false);
});

it('leaves attempts on a pooled provider to its keys, and backs off a single-key provider as before', async () => {
  const attempt = (provider: string) => ({
    job: {} as never,
    attempt: {
      provider,
      model: 'm',
      outcome: 'rate_limited' as const,
      started_at: '',
      finished_at: '',
      latency_ms: 0,
    },
    next: 'retry' as const,
  });
  backoff.onAttempt(attempt('pool'));
  backoff.onAttempt(attempt('single'));
  await until(() => backoff.isBackedOff('single'), { message: 'single to be backed off' });
  expect(await redis.exists(createKeys(prefix).providerBackoff('pool'))).toBe(0);
});
