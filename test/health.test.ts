import { buildApp } from '@switchyard/app/app';
import { createServices, type Services } from '@switchyard/app/services';
import { type AttemptEvent, createHealth, createKeys, type Job } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// Circuit breakers per provider, end to end: real Redis, real workers, the simulator.

const KEY = 'acme-key-0123456789abcdef';
const TEXT = 'The harbour froze in January. Ships waited outside for a week. Then the ice broke.';
const HEALTH = {
  failureThreshold: 3,
  slowAfterMs: 250,
  openForMs: 400,
  probeIntervalMs: 300,
  probeTimeoutMs: 2_000,
  refreshMs: 100,
};

let simulator: Simulator;
let services: Services;
let app: Awaited<ReturnType<typeof buildApp>>;
const prefix = testPrefix();
/** Probes run per provider: they reach the simulator like any completion. */
const probes = new Map<string, number>();

beforeAll(async () => {
  const model = [{ name: 'm', contextWindow: 4_000 }];
  simulator = await startSimulator({
    providers: [
      { id: 'sim-a', format: 'openai', models: model },
      { id: 'sim-b', format: 'openai', models: model },
      { id: 'sim-slow', format: 'openai', models: model, latency: { kind: 'fixed', ms: 400 } },
    ],
  });
  const provider = (id: string) => ({
    id,
    kind: 'openai',
    baseUrl: simulator.baseUrlFor(id),
    tier: 'free',
    models: model,
  });
  const config = parseConfig(
    {
      presets: 'off',
      providers: [provider('sim-a'), provider('sim-b'), provider('sim-slow')],
      routes: {
        main: { targets: ['sim-a/m', 'sim-b/m'] },
        slow: { targets: ['sim-slow/m', 'sim-b/m'] },
      },
      scheduling: { retriesPerTarget: 0 },
      redis: { url: REDIS_URL, prefix },
      auth: { apiKeys: [{ key: KEY, tenant: 'acme' }] },
    },
    {},
  );
  services = createServices(config, {
    health: { ...HEALTH, onProbe: (id) => probes.set(id, (probes.get(id) ?? 0) + 1) },
  });
  await services.startWorkers();
  app = await buildApp(services);
});

afterAll(async () => {
  await app?.close();
  await services?.close();
  await simulator?.close();
  await deleteKeys(prefix);
});

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runJob(route: string): Promise<Job> {
  const accepted = await app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: { authorization: `Bearer ${KEY}` },
    payload: { route, prompt: TEXT, max_tokens: 16 },
  });
  expect(accepted.statusCode).toBe(202);
  const job = await services.broker.waitFor(accepted.json().id, 15_000);
  expect(job?.status).toBe('succeeded');
  return job!;
}

async function providerView(id: string) {
  const response = await app.inject({
    method: 'GET',
    url: '/v1/providers',
    headers: { authorization: `Bearer ${KEY}` },
  });
  expect(response.statusCode).toBe(200);
  return response.json().data.find((entry: { id: string }) => entry.id === id);
}

/** Completion requests to a provider other than probes, read while no probe is running. */
const jobCallsTo = (id: string) =>
  until(`no probe of ${id} running`, () => {
    if (services.health.state(id).status === 'probing') return undefined;
    const calls = simulator.stats(id).requests - (probes.get(id) ?? 0);
    return services.health.state(id).status === 'probing' ? undefined : { calls };
  });

describe('provider health', () => {
  it('opens a failing provider, routes around it, and closes it again after a probe', async () => {
    expect(await providerView('sim-a')).toMatchObject({ health: 'healthy', health_reason: null });
    simulator.configure('sim-a', { down: 'unavailable' });

    await until('sim-a to open', async () => {
      const job = await runJob('main');
      expect(job.result?.provider).toBe('sim-b');
      return (await providerView('sim-a')).health !== 'healthy';
    });
    const view = await providerView('sim-a');
    expect(['unhealthy', 'probing']).toContain(view.health);
    expect(view.health_reason).toMatch(/consecutive failures|probe failed/);
    expect(services.health.isHealthy('sim-a')).toBe(false);

    // New jobs are planned without sim-a and never call it (only probes reach it).
    await until('in-flight attempts on sim-a to settle', async () => {
      const counts = await services.broker
        .queue(services.broker.keys.providerQueue('sim-a'))
        .getJobCounts('active', 'wait', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0) || undefined;
    });
    const before = await jobCallsTo('sim-a');
    for (let index = 0; index < 3; index++) {
      const job = await runJob('main');
      expect(job.plan.map((target) => target.provider)).toEqual(['sim-b']);
      expect(job.attempts.every((attempt) => attempt.provider === 'sim-b')).toBe(true);
    }
    // Probes kept running and kept failing while it was down; they are the only calls it saw.
    await until('a failed probe', async () =>
      (await providerView('sim-a')).health_reason?.startsWith('probe failed'),
    );
    expect(probes.get('sim-a')).toBeGreaterThan(0);
    expect(await jobCallsTo('sim-a')).toEqual(before);

    simulator.configure('sim-a', { down: false });
    await until('sim-a to recover', async () => (await providerView('sim-a')).health === 'healthy');
    expect((await providerView('sim-a')).health_reason).toMatch(/probe succeeded/);
    const job = await runJob('main');
    expect(job.plan[0]?.provider).toBe('sim-a');
    expect(job.result?.provider).toBe('sim-a');
  });

  it('removes a provider slower than slowAfterMs', async () => {
    await until('sim-slow to open', async () => {
      await Promise.all([runJob('slow'), runJob('slow'), runJob('slow')]);
      return (await providerView('sim-slow')).health !== 'healthy';
    });
    expect((await providerView('sim-slow')).health_reason).toMatch(/slow/);
    const job = await runJob('slow');
    expect(job.plan.map((target) => target.provider)).toEqual(['sim-b']);
    expect(job.result?.provider).toBe('sim-b');
    // Probes stay slow: it stays out.
    await until('a slow probe', async () =>
      (await providerView('sim-slow')).health_reason?.includes('probe took'),
    );
    expect(services.health.isHealthy('sim-slow')).toBe(false);
  });
});

describe('breaker rules', () => {
  const unitPrefix = testPrefix();
  const redis = new Redis(REDIS_URL);
  const providers = ['p1', 'p2'].map((id) => ({ id, models: [{ name: 'm' }] })) as never;
  const health = createHealth({
    redis,
    keys: createKeys(unitPrefix),
    providers,
    adapters: new Map(),
    options: { failureThreshold: 3, minCalls: 4, maxErrorRate: 0.5, refreshMs: 50 },
  });
  const event = (provider: string, outcome: string, latency = 10) =>
    ({ attempt: { provider, model: 'm', outcome, latency_ms: latency } }) as unknown as AttemptEvent;

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
    await until('the failure to be counted', async () => {
      await health.refresh();
      return health.state('p1').consecutiveFailures === 1;
    });
    expect(health.state('p1').status).toBe('healthy');
  });

  it('opens on an error rate over the window without consecutive failures', async () => {
    for (const outcome of ['server_error', 'succeeded', 'timeout', 'succeeded', 'network_error']) {
      // One connection runs the scripts in the order they were sent.
      health.onAttempt(event('p2', outcome));
    }
    await until('p2 to open', async () => {
      await health.refresh();
      return health.state('p2').status === 'unhealthy';
    });
    expect(health.state('p2')).toMatchObject({
      reason: expect.stringMatching(/error rate 60% over 5 calls/),
    });
    expect(health.isHealthy('p2')).toBe(false);
  });
});
