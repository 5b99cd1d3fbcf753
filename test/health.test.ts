import { type AttemptEvent, createHealth, createKeys, type Job } from '@switchyard/broker';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// Circuit breakers per provider, end to end: real Redis, real workers, the simulator.

const KEY = 'acme-key-0123456789abcdef';
const TEXT = 'The harbour froze in January. Ships waited outside for a week. Then the ice broke.';
const HEALTH = {
  failureThreshold: 3,
  slowAfterMs: 250,
  // The slow simulator answers ~20 tokens in 400 ms: 20 ms a token counts as slow here.
  slowPerOutputTokenMs: 10,
  openForMs: 400,
  probeIntervalMs: 300,
  probeTimeoutMs: 2_000,
  refreshMs: 100,
};

let harness: Harness;
/** Probes run per provider: they reach the simulator like any completion. */
const probes = new Map<string, number>();

beforeAll(async () => {
  const models = [{ name: 'm', contextWindow: 4_000 }];
  const free = { tier: 'free' };
  harness = await startHarness({
    providers: [
      { id: 'sim-a', format: 'openai', models, switchyard: free },
      { id: 'sim-b', format: 'openai', models, switchyard: free },
      {
        id: 'sim-slow',
        format: 'openai',
        models,
        simulator: { latency: { kind: 'fixed', ms: 400 } },
        switchyard: free,
      },
    ],
    routes: {
      main: { targets: ['sim-a/m', 'sim-b/m'] },
      slow: { targets: ['sim-slow/m', 'sim-b/m'] },
    },
    auth: { apiKeys: [{ key: KEY, tenant: 'acme' }] },
    config: { scheduling: { retriesPerTarget: 0 } },
    services: { health: { ...HEALTH, onProbe: (id) => probes.set(id, (probes.get(id) ?? 0) + 1) } },
  });
});

afterAll(() => harness?.close());

async function runJob(route: string): Promise<Job> {
  const accepted = await harness.app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: bearer(KEY),
    payload: { route, prompt: TEXT, max_tokens: 16 },
  });
  expect(accepted.statusCode).toBe(202);
  const job = await harness.services.broker.waitFor(accepted.json().id, 15_000);
  expect(job?.status).toBe('succeeded');
  return job!;
}

async function providerView(id: string) {
  const response = await harness.app.inject({
    method: 'GET',
    url: '/v1/providers',
    headers: bearer(KEY),
  });
  expect(response.statusCode).toBe(200);
  return response.json().data.find((entry: { id: string }) => entry.id === id);
}

/** Completion requests to a provider other than probes, read while no probe is running. */
const jobCallsTo = (id: string) =>
  until(
    () => {
      if (harness.services.health.state(id).status === 'probing') return undefined;
      const calls = harness.simulator.stats(id).requests - (probes.get(id) ?? 0);
      return harness.services.health.state(id).status === 'probing' ? undefined : { calls };
    },
    { message: `no probe of ${id} running` },
  );

describe('provider health', () => {
  it('opens a failing provider, routes around it, and closes it again after a probe', async () => {
    expect(await providerView('sim-a')).toMatchObject({ health: 'healthy', health_reason: null });
    harness.simulator.configure('sim-a', { down: 'unavailable' });

    await until(
      async () => {
        const job = await runJob('main');
        expect(job.result?.provider).toBe('sim-b');
        return (await providerView('sim-a')).health !== 'healthy';
      },
      { message: 'sim-a to open' },
    );
    const view = await providerView('sim-a');
    expect(['unhealthy', 'probing']).toContain(view.health);
    expect(view.health_reason).toMatch(/consecutive failures|probe failed/);
    expect(harness.services.health.isHealthy('sim-a')).toBe(false);

    // New jobs are planned without sim-a and never call it (only probes reach it).
    await until(
      async () => {
        const counts = await harness.services.broker
          .queue(harness.services.broker.keys.providerQueue('sim-a'))
          .getJobCounts('active', 'wait', 'delayed', 'prioritized');
        return Object.values(counts).every((count) => count === 0) || undefined;
      },
      { message: 'in-flight attempts on sim-a to settle' },
    );
    const before = await jobCallsTo('sim-a');
    for (let index = 0; index < 3; index++) {
      const job = await runJob('main');
      expect(job.plan.map((target) => target.provider)).toEqual(['sim-b']);
      expect(job.attempts.every((attempt) => attempt.provider === 'sim-b')).toBe(true);
    }
    // Probes kept running and kept failing while it was down; they are the only calls it saw.
    await until(async () => (await providerView('sim-a')).health_reason?.startsWith('probe failed'), {
      message: 'a failed probe',
    });
    // Probes run on a timer, so how many ran while it was down depends on timing.
    expect(probes.get('sim-a')).toBeGreaterThan(0);
    expect(await jobCallsTo('sim-a')).toEqual(before);

    harness.simulator.configure('sim-a', { down: false });
    await until(async () => (await providerView('sim-a')).health === 'healthy', {
      message: 'sim-a to recover',
    });
    expect((await providerView('sim-a')).health_reason).toMatch(/probe succeeded/);
    const job = await runJob('main');
    expect(job.plan[0]?.provider).toBe('sim-a');
    expect(job.result?.provider).toBe('sim-a');
  });

  it('removes a provider slower than slowAfterMs', async () => {
    await until(
      async () => {
        await Promise.all([runJob('slow'), runJob('slow'), runJob('slow')]);
        return (await providerView('sim-slow')).health !== 'healthy';
      },
      { message: 'sim-slow to open' },
    );
    expect((await providerView('sim-slow')).health_reason).toMatch(/slow/);
    const job = await runJob('slow');
    expect(job.plan.map((target) => target.provider)).toEqual(['sim-b']);
    expect(job.result?.provider).toBe('sim-b');
    // Probes stay slow: it stays out.
    await until(async () => (await providerView('sim-slow')).health_reason?.includes('probe took'), {
      message: 'a slow probe',
    });
    expect(harness.services.health.isHealthy('sim-slow')).toBe(false);
  });
});

describe('breaker rules', () => {
  const unitPrefix = testPrefix();
  const redis = new Redis(REDIS_URL);
  const providers = ['p1', 'p2', 'p3', 'p4'].map((id) => ({ id, models: [{ name: 'm' }] })) as never;
  const health = createHealth({
    redis,
    keys: createKeys(unitPrefix),
    providers,
    adapters: new Map(),
    options: { failureThreshold: 3, minCalls: 4, maxErrorRate: 0.5, refreshMs: 50 },
  });
  const event = (provider: string, outcome: string, latency = 10, outputTokens = 20) =>
    ({
      attempt: { provider, model: 'm', outcome, latency_ms: latency },
      usage: { inputTokens: 10, outputTokens },
    }) as unknown as AttemptEvent;

  afterAll(async () => {
    await health.stop();
    await redis.quit();
    await deleteKeys(unitPrefix);
  });

  it('does not count rate limits, quotas, bad requests or skips against a provider', async () => {
    for (const outcome of [
      'rate_limited',
      'quota_exhausted',
      'invalid_request',
      'context_length_exceeded',
      'content_filtered',
      'skipped',
    ]) {
      health.onAttempt(event('p1', outcome));
      health.onAttempt(event('p1', outcome));
    }
    health.onAttempt(event('p1', 'server_error'));
    await until(
      async () => {
        await health.refresh();
        return health.state('p1').consecutiveFailures === 1;
      },
      { message: 'the failure to be counted' },
    );
    expect(health.state('p1').status).toBe('healthy');
  });

  it('opens on an error rate over the window without consecutive failures', async () => {
    for (const outcome of ['server_error', 'succeeded', 'timeout', 'succeeded', 'network_error']) {
      // One connection runs the scripts in the order they were sent.
      health.onAttempt(event('p2', outcome));
    }
    await until(
      async () => {
        await health.refresh();
        return health.state('p2').status === 'unhealthy';
      },
      { message: 'p2 to open' },
    );
    expect(health.state('p2')).toMatchObject({
      reason: expect.stringMatching(/error rate 60% over 5 calls/),
    });
    expect(health.isHealthy('p2')).toBe(false);
  });

  it('judges slowness per output token: long answers do not open a breaker, stalled ones do', async () => {
    // 60 s for 4,000 tokens (15 ms a token) is a long answer; 60 s for 20 tokens is a stall.
    for (let call = 0; call < 4; call++) {
      health.onAttempt(event('p3', 'succeeded', 60_000, 4_000));
      health.onAttempt(event('p4', 'succeeded', 60_000, 20));
    }
    await until(
      async () => {
        await health.refresh();
        return health.state('p4').status === 'unhealthy';
      },
      { message: 'p4 to open' },
    );
    expect(health.state('p4').reason).toMatch(/slow: 60000 ms .*3000 ms per output token/);
    expect(health.state('p3')).toMatchObject({ status: 'healthy', consecutiveFailures: 0 });
  });
});
