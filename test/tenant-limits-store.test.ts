import { createBroker, createKeys, createTenantLimits, type Job, STORED_NAMES } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// The tenant limits' Redis accounting, and the job store's terminal transition that releases a
// job: exactly once, however often the release runs, and shared by every process.

const prefix = testPrefix();
const config = parseConfig(
  {
    presets: 'off',
    redis: { url: REDIS_URL, prefix },
    tenantDefaults: { limits: { queuedJobs: 2, storage: '1KB' } },
  },
  {},
);
let redis: Redis;
let other: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  other = new Redis(REDIS_URL);
});

afterAll(async () => {
  redis?.disconnect();
  other?.disconnect();
  await deleteKeys(prefix);
});

const jobOf = (id: string, tenant: string, payloadBytes = 100) => ({
  id,
  tenant,
  deadline: Date.now() + 60_000,
  payloadBytes,
});

describe('tenant limits in Redis', () => {
  it('admits across processes up to the limit, exactly, and refuses the rest', async () => {
    // Two stores on two connections stand for two API processes.
    const first = createTenantLimits({ redis, keys: createKeys(prefix), config });
    const second = createTenantLimits({ redis: other, keys: createKeys(prefix), config });
    const answers = await Promise.allSettled(
      Array.from({ length: 6 }, (_, index) =>
        (index % 2 ? first : second).admitJob(jobOf(`race-${index}`, 'race', 10)),
      ),
    );
    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(2);
    const refused = answers.find((answer) => answer.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'queue_full', details: { used: 2, limit: 2 } });
    expect(await first.usage('race')).toMatchObject({ queuedJobs: 2, storage: 20 });
  });

  it('counts an item once however often it is admitted, and finishes a job once', async () => {
    const limits = createTenantLimits({ redis, keys: createKeys(prefix), config });
    const admitted = await limits.admitJob(jobOf('once', 'once'));
    expect(admitted).toEqual({ newJob: true, newBytes: true });
    expect(await limits.admitJob(jobOf('once', 'once'))).toEqual({ newJob: false, newBytes: false });
    await limits.finishJob('once', 'once', 50);
    await limits.finishJob('once', 'once', 50);
    expect(await limits.usage('once')).toMatchObject({ queuedJobs: 0, storage: 150 });
    // A file that would pass the storage limit (1 KB) is refused; one that fits is counted.
    await expect(limits.admitFile('once', 'file-big', 900, Date.now() + 60_000)).rejects.toMatchObject({
      code: 'storage_exhausted',
    });
    await limits.admitFile('once', 'file-small', 800, Date.now() + 60_000);
    expect((await limits.usage('once')).storage).toBe(950);
    await limits.release('once', 'file-small');
    expect((await limits.usage('once')).storage).toBe(150);
  });

  it('keeps one index entry per active job: its bytes expire through its place among the active jobs', async () => {
    const keys = createKeys(prefix);
    const limits = createTenantLimits({ redis, keys, config });
    const expiry = keys.tenantStoredExpiry('held');
    await limits.admitJob(jobOf('running', 'held', 70));
    expect(await redis.zscore(expiry, 'running')).toBeNull();
    // Finished: its bytes get the record's expiry.
    const before = Date.now();
    await limits.finishJob('held', 'running', 30);
    expect(Number(await redis.zscore(expiry, 'running'))).toBeGreaterThanOrEqual(
      before + config.results.retentionMs,
    );
    expect(await limits.usage('held')).toMatchObject({ queuedJobs: 0, storage: 100 });

    // Never finished (its process died): past its safety expiry it stops counting as queued,
    // and its bytes are kept for the retention after that, as a finished job's would be.
    await limits.admitJob(jobOf('lost', 'held', 50));
    const safetyExpiry = Date.now() - 1_000;
    await redis.zadd(keys.tenantActiveJobs('held'), safetyExpiry, 'lost');
    expect(await limits.usage('held')).toMatchObject({ queuedJobs: 0, storage: 150 });
    expect(Number(await redis.zscore(expiry, 'lost'))).toBe(safetyExpiry + config.results.retentionMs);
    // Once that passes too, the bytes are released.
    await redis.zadd(expiry, Date.now() - 1, 'lost');
    expect(await limits.usage('held')).toMatchObject({ queuedJobs: 0, storage: 100 });
    expect(await redis.hexists(keys.tenantStoredItems('held'), 'lost')).toBe(0);
  });

  it('releases a job at its terminal transition, once, through the job store', async () => {
    const broker = createBroker({ config, adapters: new Map(), redis });
    try {
      const job: Job = {
        id: `job-${prefix}`,
        tenant: 'store',
        status: 'queued',
        route: 'main',
        priority: 'interactive',
        sensitivity: 'public',
        plan: [{ provider: 'p', model: 'm' }],
        target: 0,
        tries: 0,
        deadline: Date.now() + 60_000,
        request: { messages: [{ role: 'user', content: 'hello' }] },
        attempts: [],
        created_at: new Date().toISOString(),
      } as unknown as Job;
      await broker.tenantLimits.admitJob(jobOf(job.id, 'store', 40));
      await broker.store.create(job);
      const result = JSON.stringify({ content: 'done' });
      const finished = await broker.store.transition(job.id, {
        from: ['queued'],
        to: 'succeeded',
        set: { result },
      });
      expect(finished.applied).toBe(true);
      // A refused second transition releases nothing more.
      await broker.store.transition(job.id, { from: ['queued'], to: 'failed' });
      expect(await broker.tenantLimits.usage('store')).toMatchObject({
        queuedJobs: 0,
        storage: 40 + Buffer.byteLength(result),
      });
    } finally {
      await broker.close();
    }
  });

  it('releases a job whose process died after its terminal transition, at the next sweep', async () => {
    const broker = createBroker({ config, adapters: new Map(), redis, sweeper: { firstSweepAfterMs: 0 } });
    try {
      const id = `job-crashed-${prefix}`;
      await broker.tenantLimits.admitJob(jobOf(id, 'crashed', 30));
      await broker.store.create({
        id,
        tenant: 'crashed',
        status: 'queued',
        route: 'main',
        priority: 'interactive',
        sensitivity: 'public',
        plan: [{ provider: 'p', model: 'm' }],
        target: 0,
        tries: 0,
        deadline: Date.now() + 60_000,
        request: { messages: [{ role: 'user', content: 'hello' }] },
        attempts: [],
        created_at: new Date().toISOString(),
      } as unknown as Job);
      // The transition applied, then the process died: no release ran.
      await redis.hset(broker.keys.job(id), STORED_NAMES.status, 'failed');
      expect((await broker.tenantLimits.usage('crashed')).queuedJobs).toBe(1);
      await broker.sweeper.sweep();
      expect(await broker.tenantLimits.usage('crashed')).toMatchObject({ queuedJobs: 0, storage: 30 });
    } finally {
      await broker.close();
    }
  });
});
