import { createServices, type Services } from '@switchyard/app/services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer as auth, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';
import { REDIS_URL } from './support/redis-prefix.ts';

// Fair sharing between tenants on one provider queue (docs/security.md), through the HTTP API on
// the real Redis and the provider simulator, with two worker processes' worth of workers: a
// tenant's jobs queued behind another tenant's big backlog take turns with it, in proportion to
// the tenants' weights, and interactive jobs still go before batch jobs.

const KEYS = { big: 'big-key-0123456789abcdef', small: 'small-key-0123456789abcdef' };
const KEYS_WEIGHTED = { heavy: 'heavy-key-0123456789abcdef', light: 'light-key-0123456789abcdef' };
const CONCURRENCY = 4;

/** Submits `count` jobs for a tenant, 25 at a time; their ids. */
async function submit(
  app: App,
  key: string,
  route: string,
  count: number,
  priority: 'interactive' | 'batch',
) {
  const ids: string[] = [];
  for (let first = 0; first < count; first += 25) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(25, count - first) }, (_, index) =>
        app.inject({
          method: 'POST',
          url: '/v1/jobs',
          headers: auth(key),
          payload: { route, prompt: `Summarize item ${first + index}.`, max_tokens: 8, priority },
        }),
      ),
    );
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(202);
      ids.push(answer.json().id);
    }
  }
  return ids;
}

/** Records the order in which jobs succeed, from the broker's job events channel. */
async function watchCompletions(channel: string) {
  const subscriber = new Redis(REDIS_URL);
  const order: string[] = [];
  subscriber.on('message', (_channel: string, message: string) => {
    const [id, status] = message.split(' ');
    if (status === 'succeeded' && id) order.push(id);
  });
  await subscriber.subscribe(channel);
  return {
    /** The jobs of `among` that succeeded so far, in order. */
    doneOf: (among: Set<string>) => order.filter((id) => among.has(id)),
    close: () => subscriber.quit(),
  };
}

/** 1-based positions of `ids` in `order`. */
const positionsIn = (order: string[], ids: string[]) => ids.map((id) => order.indexOf(id) + 1);

/** One provider per test (its queue is the test's alone) behind a route of the same name. */
const PROVIDERS = ['fair-a', 'fair-b', 'fair-c'];

async function startQueued(tenants: Record<string, string>, weights: Record<string, number>) {
  return startHarness({
    providers: PROVIDERS.map((id) => ({
      id,
      format: 'openai' as const,
      models: [{ name: 'm', contextWindow: 4_000 }],
      simulator: { latency: { kind: 'fixed' as const, ms: 5 } },
      switchyard: { tier: 'free', concurrency: CONCURRENCY },
    })),
    routes: Object.fromEntries(PROVIDERS.map((id) => [id, { targets: [`${id}/m`] }])),
    auth: { apiKeys: Object.entries(tenants).map(([tenant, key]) => ({ key, tenant })) },
    config: {
      tenantDefaults: { limits: { requestsPerSecond: 100_000 } },
      tenants: Object.fromEntries(Object.entries(weights).map(([tenant, weight]) => [tenant, { weight }])),
    },
    // The second process's workers are started by the tests, with this one's.
    workers: false,
  });
}

describe('fair sharing between tenants on one provider', () => {
  let harness: Harness;
  let secondProcess: Services;
  let completions: Awaited<ReturnType<typeof watchCompletions>>;

  beforeAll(async () => {
    harness = await startQueued({ ...KEYS, ...KEYS_WEIGHTED }, { heavy: 2 });
    secondProcess = createServices(harness.config);
    await Promise.all([harness.services.startWorkers(), secondProcess.startWorkers()]);
  });

  afterEach(async () => {
    await completions?.close();
  });

  afterAll(async () => {
    await secondProcess?.close();
    await harness?.close();
  });

  /**
   * Runs `submitAll` with the provider queue paused, so every job is queued before the first
   * starts and the order is the queue's alone; then lets the workers run until `waitFor` holds
   * for the jobs of the test that succeeded, in order. Returns them.
   */
  async function runQueued(
    provider: string,
    submitAll: () => Promise<string[]>,
    waitFor: (done: string[]) => boolean,
  ): Promise<string[]> {
    completions = await watchCompletions(harness.services.broker.keys.jobEvents);
    const queue = harness.services.broker.queue(harness.services.broker.keys.providerQueue(provider));
    await queue.pause();
    const ids = new Set(await submitAll());
    await queue.resume();
    return until(
      () => {
        const done = completions.doneOf(ids);
        return waitFor(done) && done;
      },
      { message: `the jobs on ${provider}`, timeoutMs: 100_000 },
    );
  }

  it("serves another tenant's 5 jobs among the first completions, not behind 500", {
    timeout: 120_000,
  }, async () => {
    let small: string[] = [];
    const done = await runQueued(
      'fair-a',
      async () => {
        const big = await submit(harness.app, KEYS.big, 'fair-a', 500, 'batch');
        small = await submit(harness.app, KEYS.small, 'fair-a', 5, 'batch');
        return [...big, ...small];
      },
      (done) => small.every((id) => done.includes(id)),
    );
    const positions = positionsIn(done, small);
    // Turns alternate from the queue's head: the 5 start 2nd, 4th, ... 10th; with 4 calls in
    // flight at once, completions may swap a little. Without fair sharing: 501-505.
    expect(Math.max(...positions), `positions ${positions}`).toBeLessThanOrEqual(15);
  });

  it('gives a tenant of weight 2 twice the share of a tenant of weight 1 while both wait', {
    timeout: 120_000,
  }, async () => {
    let heavy: string[] = [];
    const done = await runQueued(
      'fair-b',
      async () => {
        heavy = await submit(harness.app, KEYS_WEIGHTED.heavy, 'fair-b', 150, 'batch');
        const light = await submit(harness.app, KEYS_WEIGHTED.light, 'fair-b', 150, 'batch');
        return [...heavy, ...light];
      },
      (done) => done.length >= 150,
    );
    // Both have work for the first 225 completions (heavy's 150 are done by then).
    const first = done.slice(0, 150);
    const heavyShare = first.filter((id) => heavy.includes(id)).length;
    const lightShare = first.length - heavyShare;
    expect(heavyShare / lightShare).toBeGreaterThan(1.8);
    expect(heavyShare / lightShare).toBeLessThan(2.2);
  });

  it('still serves interactive jobs before batch jobs, whoever submitted them', {
    timeout: 60_000,
  }, async () => {
    let interactive: string[] = [];
    const done = await runQueued(
      'fair-c',
      async () => {
        const small = await submit(harness.app, KEYS.small, 'fair-c', 50, 'batch');
        const big = await submit(harness.app, KEYS.big, 'fair-c', 50, 'batch');
        interactive = await submit(harness.app, KEYS.big, 'fair-c', 5, 'interactive');
        return [...small, ...big, ...interactive];
      },
      (done) => interactive.every((id) => done.includes(id)),
    );
    const positions = positionsIn(done, interactive);
    // They start first; the 5th when one of the first 4 calls has answered.
    expect(Math.max(...positions), `positions ${positions}`).toBeLessThanOrEqual(5 + CONCURRENCY);
  });
});
