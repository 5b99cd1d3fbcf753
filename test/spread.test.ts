import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../packages/broker/src/job.ts';
import { type App, bearer, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// Two free targets at the same price, each admitting 2 calls a minute. A route that spreads
// starts the jobs the first target's quota refuses on the second at once; a `strict` route
// keeps them waiting on the first. Each route has providers of its own: a refusal pauses the
// provider's queue for every job.

const KEY = 'spread-key-0123456789abcdef';
const MODEL = [{ name: 'm', contextWindow: 8_000 }];
const FREE = { tier: 'free', dataPolicy: 'may-train', limits: [{ requests: 2, per: '1m' }] };
const PROVIDERS = ['spread-a', 'spread-b', 'submit-a', 'submit-b', 'strict-a', 'strict-b'] as const;
// Second targets of strict routes with a daily cap counted in fixed windows that started 12 hours
// ago: half the period has passed. `behind-b` has spent none of its 10, `ahead-b` 6 of them.
const HOUR_MS = 3_600_000;
const DAY_STARTED = new Date(Math.floor(Date.now() / 1_000) * 1_000 - 12 * HOUR_MS).toISOString();
const CAPPED = {
  tier: 'free',
  dataPolicy: 'may-train',
  limits: [{ requests: 10, per: '1d', resetsAt: DAY_STARTED }],
};

let harness: Harness;
let app: App;

beforeAll(async () => {
  harness = await startHarness({
    providers: [
      ...[...PROVIDERS, 'behind-a', 'ahead-a'].map((id) => ({
        id,
        format: 'openai' as const,
        models: MODEL,
        simulator: { limits: [{ requests: 2, per: '1m' }], latency: { kind: 'fixed' as const, ms: 20 } },
        switchyard: FREE,
      })),
      ...['behind-b', 'ahead-b'].map((id) => ({
        id,
        format: 'openai' as const,
        models: MODEL,
        simulator: { latency: { kind: 'fixed' as const, ms: 20 } },
        switchyard: CAPPED,
      })),
    ],
    routes: {
      spread: { targets: ['spread-a/m', 'spread-b/m'] },
      'submit-spread': { targets: ['submit-a/m', 'submit-b/m'] },
      pinned: { strict: true, targets: ['strict-a/m', 'strict-b/m'] },
      'pinned-behind': { strict: true, targets: ['behind-a/m', 'behind-b/m'] },
      'pinned-ahead': { strict: true, targets: ['ahead-a/m', 'ahead-b/m'] },
    },
    auth: { apiKeys: [{ key: KEY, tenant: 'spread' }] },
  });
  app = harness.app;
});

afterAll(() => harness?.close());

async function submit(route: string, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: bearer(KEY),
        payload: {
          route,
          priority: 'batch',
          deadline: '1h',
          messages: [{ role: 'user', content: `Document ${index}: the river rose overnight.` }],
          max_tokens: 16,
        },
      });
      expect(response.statusCode).toBe(202);
      return response.json().id as string;
    }),
  );
}

/** The job record (its plan and current target, which the API's view leaves out). */
async function jobOf(id: string): Promise<Job> {
  return (await harness.services.broker.get(id))!;
}

const succeededAll = (ids: string[], message: string) =>
  until(
    async () => {
      const jobs = await Promise.all(ids.map(jobOf));
      return jobs.every((job) => job.status === 'succeeded') ? jobs : undefined;
    },
    { message, timeoutMs: 15_000 },
  );

const answeredBy = (job: Job) =>
  job.attempts.findLast((attempt) => attempt.outcome === 'succeeded')?.provider;

describe('a route over two free targets at the same price', () => {
  it('starts the jobs the first target’s quota refuses on the second at once', async () => {
    const ids = await submit('spread', 4);

    // The minute window of spread-a resets in ~60 s: all four answered well before it.
    const jobs = await succeededAll(ids, 'every job to succeed on one of the two free targets');

    const providers = jobs.map(answeredBy).sort();
    expect(providers).toEqual(['spread-a', 'spread-a', 'spread-b', 'spread-b']);
    for (const job of jobs.filter((candidate) => answeredBy(candidate) === 'spread-b')) {
      // Moved by the worker (quota_sooner_elsewhere), or planned there at submission.
      const left = job.attempts.filter((attempt) => attempt.provider === 'spread-a');
      for (const attempt of left) expect(attempt.error?.code).toBe('quota_sooner_elsewhere');
    }
    expect(harness.simulator.stats('spread-a').rateLimited).toBe(0);
  });

  it('plans a job on the second target when the first cannot start it now', async () => {
    await succeededAll(await submit('submit-spread', 2), 'two jobs to spend submit-a’s quota');

    const [id] = await submit('submit-spread', 1);
    const [job] = await succeededAll([id!], 'the third job to succeed on submit-b');

    expect(job!.plan.map((target) => target.provider)).toEqual(['submit-b', 'submit-a']);
    expect(job!.attempts.map((attempt) => `${attempt.provider} ${attempt.outcome}`)).toEqual([
      'submit-b succeeded',
    ]);
  });

  it('with strict: true, the jobs wait on the first target while the second sits idle', async () => {
    const ids = await submit('pinned', 4);

    const paused = await until(
      async () => {
        const response = await app.inject({ method: 'GET', url: '/v1/providers', headers: bearer(KEY) });
        const view = (response.json().data as { id: string; queue: { paused_ms: number } }[]).find(
          (provider) => provider.id === 'strict-a',
        );
        const jobs = await Promise.all(ids.map(jobOf));
        const answered = jobs.filter((job) => job.status === 'succeeded').length;
        return view && view.queue.paused_ms > 0 && answered === 2 ? view : undefined;
      },
      { message: 'two jobs answered and strict-a’s queue paused on its spent quota', timeoutMs: 15_000 },
    );

    const jobs = await Promise.all(ids.map(jobOf));
    expect(jobs.filter((job) => job.status === 'succeeded').map(answeredBy)).toEqual([
      'strict-a',
      'strict-a',
    ]);
    const waiting = jobs.filter((job) => job.status !== 'succeeded');
    expect(waiting).toHaveLength(2);
    for (const job of waiting) expect(job).toMatchObject({ status: 'queued', target: 0 });
    expect(paused.queue.paused_ms).toBeGreaterThan(30_000);
    expect(harness.simulator.stats('strict-b')).toMatchObject({ succeeded: 0 });
  });
});

describe('a strict route whose second target has a daily cap in fixed windows', () => {
  it('plans a job the first target cannot start now on the second while its cap is spent slower than its day passes', async () => {
    await succeededAll(await submit('pinned-behind', 2), 'two jobs to spend behind-a’s quota');

    const [id] = await submit('pinned-behind', 1);
    const [job] = await succeededAll([id!], 'the third job to succeed on behind-b');

    expect(job!.plan.map((target) => target.provider)).toEqual(['behind-b', 'behind-a']);
    expect(job!.attempts.map((attempt) => `${attempt.provider} ${attempt.outcome}`)).toEqual([
      'behind-b succeeded',
    ]);
  });

  it('keeps the route’s order once the cap is spent faster than its day passes', async () => {
    // 6 of 10 spent after half the day: ahead of pace, kept for jobs nothing else can serve.
    await succeededAll(await submit('ahead-b/m', 6), 'six jobs on ahead-b');
    await succeededAll(await submit('pinned-ahead', 2), 'two jobs to spend ahead-a’s quota');

    const [id] = await submit('pinned-ahead', 1);
    const job = await until(
      async () => {
        const found = await jobOf(id!);
        return found.status === 'queued' ? found : undefined;
      },
      { message: 'the third job queued', timeoutMs: 5_000 },
    );

    expect(job.plan.map((target) => target.provider)).toEqual(['ahead-a', 'ahead-b']);
    expect(job.target).toBe(0);
    expect(harness.simulator.stats('ahead-b')).toMatchObject({ succeeded: 6 });
    const cancelled = await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: bearer(KEY) });
    expect(cancelled.statusCode).toBe(200);
  });
});
