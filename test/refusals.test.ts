import { createKeys } from '@switchyard/broker';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpentCaps } from '../packages/broker/src/backoff/create-spent-caps.ts';
import type { Job } from '../packages/broker/src/job.ts';
import { type App, bearer, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';
import { REDIS_URL } from './support/redis-prefix.ts';

// A free provider that answers every call with 429 and `Retry-After: 1` (the simulator's
// `down: 'rate_limited'`), ahead of a healthy paid one: jobs must move on to the paid one,
// synchronous calls within a few seconds. Each test has refusing providers of its own, since a
// refusal pauses the provider's queue for every job.

const KEY = 'refusals-key-0123456789abcdef';
const MODEL = [{ name: 'm', contextWindow: 8_000 }];
const REFUSING = ['free-sync', 'free-async', 'free-header', 'free-backoff'] as const;
const ADMIN = 'refusals-admin-0123456789abcdef';
/** Providers with a daily cap of one call: spent as a daily cap (429), or as billing (insufficient_quota). */
const CAPPED = [
  ['capped-day', 'daily-limit'],
  ['capped-credits', 'insufficient-quota'],
] as const;

let harness: Harness;
let app: App;

beforeAll(async () => {
  harness = await startHarness({
    providers: [
      ...REFUSING.map((id) => ({
        id,
        format: 'openai' as const,
        models: MODEL,
        simulator: { down: 'rate_limited' as const },
        switchyard: { tier: 'free', dataPolicy: 'may-train' },
      })),
      ...CAPPED.map(([id, answer]) => ({
        id,
        format: 'openai' as const,
        models: MODEL,
        simulator: { dailyCap: { requests: 1, answer } },
        switchyard: { tier: 'free', dataPolicy: 'may-train' },
      })),
      { id: 'paid', format: 'openai', models: MODEL, switchyard: { tier: 'paid', dataPolicy: 'may-train' } },
    ],
    routes: Object.fromEntries(
      [...REFUSING, ...CAPPED.map(([id]) => id)].map((id) => [
        id,
        { strategy: 'priority', targets: [`${id}/m`, 'paid/m'] },
      ]),
    ),
    auth: { apiKeys: [{ key: KEY, tenant: 'refusals' }], adminKeys: [ADMIN] },
  });
  app = harness.app;
});

afterAll(() => harness?.close());

const ask = (route: string) => ({
  model: route,
  messages: [{ role: 'user', content: 'The free tier refuses. Who answers?' }],
  max_tokens: 16,
});

async function jobOf(id: string): Promise<Job> {
  const response = await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: bearer(KEY) });
  return response.json() as Job;
}

describe('a target that keeps refusing', () => {
  it('a synchronous completion is answered by the next target within a few seconds', async () => {
    const started = Date.now();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: bearer(KEY),
      payload: ask('free-sync'),
    });
    const elapsedMs = Date.now() - started;

    expect(response.statusCode).toBe(200);
    expect(elapsedMs).toBeLessThan(10_000);
    expect(response.json().switchyard).toMatchObject({ provider: 'paid', model: 'm' });
    const job = await jobOf(response.headers['x-switchyard-job-id'] as string);
    const onFree = job.attempts.filter((attempt) => attempt.provider === 'free-sync');
    expect(onFree.length).toBeGreaterThan(0);
    expect(onFree.some((attempt) => attempt.outcome === 'rate_limited')).toBe(true);
    expect(job.attempts.at(-1)).toMatchObject({ provider: 'paid', outcome: 'succeeded' });
    expect(harness.simulator.stats('free-sync').rateLimited).toBeGreaterThan(0);
  });

  it('an async job moves on after refusalsBeforeMove (2) refusals, long before its deadline', async () => {
    const submitted = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: bearer(KEY),
      payload: { ...ask('free-async'), route: 'free-async', model: undefined, deadline: '5m' },
    });
    expect(submitted.statusCode).toBe(202);
    const id = submitted.json().id as string;

    const done = await until(
      async () => {
        const job = await jobOf(id);
        return job.status === 'succeeded' ? job : undefined;
      },
      { message: `job ${id} to succeed on the paid target`, timeoutMs: 20_000 },
    );

    expect(done.attempts.map((attempt) => `${attempt.provider} ${attempt.outcome}`)).toEqual([
      'free-async rate_limited',
      'free-async rate_limited',
      'free-async rate_limited',
      'paid succeeded',
    ]);
    expect(harness.simulator.stats('free-async')).toMatchObject({ rateLimited: 3, succeeded: 0 });
  });

  it('X-Switchyard-Deadline sets a synchronous call’s deadline, with the same rules as the field', async () => {
    const before = Date.now();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { ...bearer(KEY), 'x-switchyard-deadline': '90s' },
      payload: ask('free-header'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().switchyard).toMatchObject({ provider: 'paid' });
    const job = await jobOf(response.headers['x-switchyard-job-id'] as string);
    const deadline = Date.parse(String(job.deadline));
    expect(deadline).toBeGreaterThanOrEqual(before + 90_000);
    expect(deadline).toBeLessThan(Date.now() + 90_000);

    const refused = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { ...bearer(KEY), 'x-switchyard-deadline': 'tomorrow-ish' },
      payload: ask('free-header'),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('invalid_request');
    expect(refused.json().error.message).toMatch(/^deadline must be/);
  });
});

type ProviderView = {
  id: string;
  backoff: { until: string; refusals: number } | null;
  exhausted: { scope: string; model: string | null; reset_at: string | null }[];
};

async function providerView(id: string): Promise<ProviderView> {
  const response = await app.inject({ method: 'GET', url: '/v1/providers', headers: bearer(KEY) });
  return (response.json().data as ProviderView[]).find((provider) => provider.id === id)!;
}

async function backoffOf(id: string): Promise<ProviderView['backoff']> {
  return (await providerView(id)).backoff;
}

async function submitJob(route: string): Promise<string> {
  const submitted = await app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: bearer(KEY),
    payload: { ...ask(route), model: undefined, route },
  });
  return submitted.json().id as string;
}

function succeeded(id: string): Promise<Job> {
  return until(
    async () => {
      const job = await jobOf(id);
      return job.status === 'succeeded' ? job : undefined;
    },
    { message: `job ${id} to succeed`, timeoutMs: 20_000 },
  );
}

describe('a provider that keeps refusing calls our quota admitted', () => {
  it('is backed off for every process, planned last, shown in /v1/providers and /metrics, and reset by a success', async () => {
    const firstId = await submitJob('free-backoff');
    const backoff = await until(async () => (await backoffOf('free-backoff')) ?? undefined, {
      message: 'free-backoff to be backed off after its first refusal',
    });
    expect(backoff.refusals).toBeGreaterThanOrEqual(1);
    expect(Date.parse(backoff.until)).toBeGreaterThan(Date.now());

    // While backed off, a new job is planned on the paid provider first: no call to the refusing one.
    const refusedBefore = harness.simulator.stats('free-backoff').rateLimited;
    const second = await succeeded(await submitJob('free-backoff'));
    const planned = await harness.services.broker.get(second.id);
    expect(planned?.plan.map((target) => target.provider)).toEqual(['paid', 'free-backoff']);
    expect(second.attempts).toEqual([expect.objectContaining({ provider: 'paid', outcome: 'succeeded' })]);
    expect(harness.simulator.stats('free-backoff').rateLimited).toBe(refusedBefore);
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(ADMIN) });
    expect(metrics.body).toMatch(/switchyard_provider_backoff_seconds\{provider="free-backoff"\} [\d.]+/);

    const first = await succeeded(firstId);
    expect(first.attempts.at(-1)).toMatchObject({ provider: 'paid', outcome: 'succeeded' });

    // The provider recovers; once its backoff ends it is tried first again, and its success resets it.
    harness.simulator.configure('free-backoff', { down: false });
    await until(async () => Date.parse((await backoffOf('free-backoff'))?.until ?? '0') < Date.now(), {
      message: 'the backoff of free-backoff to end',
    });
    const third = await succeeded(await submitJob('free-backoff'));
    expect(third.attempts).toEqual([
      expect.objectContaining({ provider: 'free-backoff', outcome: 'succeeded' }),
    ]);
    await until(async () => (await backoffOf('free-backoff')) === null, {
      message: 'the success to clear the backoff of free-backoff',
    });
  });
});

describe('a provider whose daily cap or credits are spent', () => {
  it('is out of every route plan until the cap resets, and back once an operator clears it', async () => {
    const first = await succeeded(await submitJob('capped-day'));
    expect(first.attempts).toEqual([
      expect.objectContaining({ provider: 'capped-day', outcome: 'succeeded' }),
    ]);
    const spent = await succeeded(await submitJob('capped-day'));
    expect(spent.attempts.map((attempt) => `${attempt.provider} ${attempt.outcome}`)).toEqual([
      'capped-day quota_exhausted',
      'paid succeeded',
    ]);
    const midnight = new Date(
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1),
    );
    expect((await providerView('capped-day')).exhausted).toEqual([
      { scope: 'day', model: null, reset_at: expect.any(String) },
    ]);
    const resetAt = Date.parse((await providerView('capped-day')).exhausted[0]!.reset_at!);
    expect(Math.abs(resetAt - midnight.getTime())).toBeLessThan(2_000);

    // Planned without it: no call is made to the spent provider.
    const callsBefore = harness.simulator.stats('capped-day').requests;
    const third = await succeeded(await submitJob('capped-day'));
    expect(third.attempts).toEqual([expect.objectContaining({ provider: 'paid', outcome: 'succeeded' })]);
    expect(harness.simulator.stats('capped-day').requests).toBe(callsBefore);

    const url = '/v1/providers/capped-day/exhausted';
    expect((await app.inject({ method: 'DELETE', url, headers: bearer(KEY) })).statusCode).toBe(401);
    const unknown = await app.inject({
      method: 'DELETE',
      url: '/v1/providers/nope/exhausted',
      headers: bearer(ADMIN),
    });
    expect(unknown.statusCode).toBe(404);
    const cleared = await app.inject({ method: 'DELETE', url, headers: bearer(ADMIN) });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toEqual({ id: 'capped-day', cleared: 1 });
    expect((await providerView('capped-day')).exhausted).toEqual([]);
  });

  it('spent credits stay out with no reset time, until the provider configuration changes', async () => {
    await succeeded(await submitJob('capped-credits'));
    const spent = await succeeded(await submitJob('capped-credits'));
    expect(spent.attempts.at(0)).toMatchObject({ provider: 'capped-credits', outcome: 'quota_exhausted' });
    expect((await providerView('capped-credits')).exhausted).toEqual([
      { scope: 'credits', model: null, reset_at: null },
    ]);

    // A process starting with the same configuration keeps them; with a new key it drops them.
    const redis = new Redis(REDIS_URL);
    try {
      const keys = createKeys(harness.prefix);
      const provider = harness.config.providers.find((candidate) => candidate.id === 'capped-credits')!;
      const same = createSpentCaps({ redis, keys, providers: [provider] });
      await same.start();
      same.stop();
      expect(same.state('capped-credits')).toEqual([expect.objectContaining({ scope: 'credits' })]);
      const rekeyed = createSpentCaps({
        redis,
        keys,
        providers: [{ ...provider, apiKey: 'a-new-key-with-credits' }],
      });
      await rekeyed.start();
      rekeyed.stop();
      expect(rekeyed.state('capped-credits')).toEqual([]);
      expect(await redis.exists(keys.providerExhausted('capped-credits'))).toBe(0);
    } finally {
      await redis.quit();
    }
  });
});
