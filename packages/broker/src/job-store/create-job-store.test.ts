import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../job.ts';
import { createKeys } from '../keys.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../quota/test-support.ts';
import { createJobStore, type JobStore } from './create-job-store.ts';

// The record's layout (short names, long values in pieces) is the store's own business: what
// goes in comes back out, and the record stays in Redis's compact listpack encoding.

const prefix = testPrefix();
const keys = createKeys(prefix);
let redis: Redis;
let store: JobStore;
const terminal: { id: string; tenant: string; resultBytes: number }[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  store = createJobStore(redis, keys, {
    retentionMs: 60_000,
    onTerminal: async (job) => {
      terminal.push(job);
    },
  });
});

afterAll(async () => {
  await store.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

let jobs = 0;
function newJob(overrides: Partial<Job> = {}): Job {
  jobs += 1;
  return {
    id: `job_${jobs}`,
    tenant: 'tenant',
    status: 'queued',
    route: 'main',
    priority: 'batch',
    sensitivity: 'public',
    plan: [
      { provider: 'first-provider', model: 'a-model-with-a-long-name' },
      { provider: 'second-provider', model: 'another-model' },
    ],
    target: 0,
    tries: 0,
    deadline: 1_796_315_225_304,
    // Multi-byte text, so pieces must end on character boundaries.
    request: {
      messages: [{ role: 'user', content: `Résumé 漢字 😀 ${'a long document, '.repeat(30)}` }],
      maxTokens: 64,
      temperature: 0.7,
    },
    metadata: { note: 'n'.repeat(100) },
    callback_url: `http://127.0.0.1:1/hooks/${'h'.repeat(80)}`,
    attempts: [],
    created_at: '2026-12-02T16:27:05.304Z',
    ...overrides,
  };
}

describe('job store records', () => {
  it('gives back the job it stored, in a listpack, with no field longer than 64 bytes', async () => {
    const job = newJob();
    expect(await store.create(job)).toBe(true);
    expect(await store.get(job.id)).toEqual(job);
    expect(await redis.object('ENCODING', keys.job(job.id))).toBe('listpack');
    const values = Object.values(await redis.hgetall(keys.job(job.id)));
    for (const value of values) expect(Buffer.byteLength(value)).toBeLessThanOrEqual(64);
  });

  it('keeps an id and tenant longer than a piece whole, and finds the job by them', async () => {
    const job = newJob({ id: `job_${'i'.repeat(90)}`, tenant: 't'.repeat(90) });
    await store.create(job);
    expect(await store.get(job.id)).toEqual(job);
    const claimed = await store.transition(job.id, { from: ['queued'], to: 'running', incrementTries: true });
    expect(claimed).toEqual({ applied: true, status: 'running' });
    expect((await store.get(job.id))?.tries).toBe(1);
  });

  it('stores a long result in pieces and reports its whole size to the tenant limits', async () => {
    const job = newJob();
    await store.create(job);
    const result = JSON.stringify({ content: `Ünïcode ${'answer '.repeat(60)}`, finish_reason: 'stop' });
    const done = await store.transition(job.id, {
      from: ['queued'],
      to: 'succeeded',
      set: { result, completed_at: '2026-12-02T16:28:00.000Z' },
    });
    expect(done).toEqual({ applied: true, status: 'succeeded' });
    expect(terminal.find((entry) => entry.id === job.id)).toEqual({
      id: job.id,
      tenant: job.tenant,
      resultBytes: Buffer.byteLength(result),
    });
    const stored = await store.get(job.id);
    expect(stored?.result).toEqual(JSON.parse(result));
    expect(stored?.completed_at).toBe('2026-12-02T16:28:00.000Z');
    expect(await redis.object('ENCODING', keys.job(job.id))).toBe('listpack');
  });

  it('drops the further pieces of a value a shorter one replaced', async () => {
    const job = newJob();
    await store.create(job);
    const long = JSON.stringify({ code: 'first', message: 'm'.repeat(300) });
    const short = JSON.stringify({ code: 'second', message: 'short' });
    await store.transition(job.id, { from: ['queued'], to: 'running', set: { error: long } });
    await store.transition(job.id, { from: ['running'], to: 'failed', set: { error: short } });
    expect((await store.get(job.id))?.error).toEqual(JSON.parse(short));
    const fields = Object.keys(await redis.hgetall(keys.job(job.id)));
    expect(fields.filter((field) => field.startsWith('er'))).toEqual(['er']);
  });
});
