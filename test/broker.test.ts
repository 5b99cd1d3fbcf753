import { createBrokerFor } from '@switchyard/app/broker';
import { type Broker, createKeys, type Job } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { countTokens, type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../apps/provider-sim/src/summarize.ts';
import { until } from './support/poll.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';
import { startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// Integration tests of the broker core against a real Redis and the provider simulator.

let simulator: Simulator;
const prefixes: string[] = [];
const brokers: Broker[] = [];
let counter = 0;

beforeAll(async () => {
  simulator = await startSimulator({ providers: [] });
});

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

afterAll(async () => {
  await simulator.close();
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

const TEXT =
  'Switchyard spreads work over many providers. Free tiers go first. Paid providers take what the free ones cannot absorb in time. Every job ends with its whole history.';

/** A simulated provider plus the matching Switchyard provider entry, under fresh ids. */
function provider(
  name: string,
  options: {
    format?: 'openai' | 'anthropic' | 'gemini';
    tier?: 'free' | 'paid';
    dataPolicy?: string;
    limits?: { requests?: number; tokens?: number; per: string }[];
    simLimits?: { requests?: number; tokens?: number; per: string }[];
    simModels?: { name: string; contextWindow: number }[];
    contextWindow?: number;
    concurrency?: number;
    latency?: unknown;
    failures?: Record<string, number>;
  } = {},
) {
  const id = `${name}-${++counter}`;
  const format = options.format ?? 'openai';
  const contextWindow = options.contextWindow ?? 32_000;
  simulator.addProvider({
    id,
    format,
    models: options.simModels ?? [{ name: 'm', contextWindow }],
    limits: options.simLimits ?? options.limits ?? [],
    ...(options.latency ? { latency: options.latency } : {}),
    ...(options.failures ? { failures: options.failures } : {}),
  } as Parameters<Simulator['addProvider']>[0]);
  return {
    id,
    kind: format,
    baseUrl: simulator.baseUrlFor(id),
    apiKey: 'sim-key',
    tier: options.tier ?? 'free',
    dataPolicy: options.dataPolicy ?? 'may-train',
    models: [{ name: 'm', contextWindow, price: { input: 0.15, output: 0.6 } }],
    limits: options.limits ?? [],
    concurrency: options.concurrency ?? 4,
    timeout: '10s',
  };
}

function configOf(
  providers: ReturnType<typeof provider>[],
  route = providers.map((entry) => `${entry.id}/m`),
) {
  const prefix = testPrefix();
  prefixes.push(prefix);
  return {
    presets: 'off',
    providers,
    routes: { main: { strategy: 'priority', targets: route } },
    redis: { url: REDIS_URL, prefix },
    scheduling: { retriesPerTarget: 2 },
  };
}

async function startBroker(
  raw: ReturnType<typeof configOf> & { privacy?: unknown },
  options: { workers?: boolean } = {},
) {
  const broker = createBrokerFor(parseConfig(raw, {}), {
    lockDurationMs: 2_000,
    stalledIntervalMs: 1_000,
  });
  brokers.push(broker);
  if (options.workers !== false) await broker.startWorkers();
  return broker;
}

async function submitMany(
  broker: Broker,
  count: number,
  extra: Partial<Parameters<Broker['submit']>[0]> = {},
) {
  return Promise.all(
    Array.from({ length: count }, (_, index) =>
      broker.submit({
        tenant: 'acme',
        route: 'main',
        messages: [{ role: 'user', content: `Document ${index}. ${TEXT}` }],
        maxTokens: 64,
        ...extra,
      }),
    ),
  );
}

async function finish(broker: Broker, jobs: Job[], timeoutMs = 20_000): Promise<Job[]> {
  return Promise.all(jobs.map((job) => broker.waitFor(job.id, timeoutMs).then((found) => found!)));
}

/** Most requests the simulator admitted in any sliding window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('broker core', () => {
  it('runs a job end to end and stores its result, usage, cost and attempt', async () => {
    const free = provider('plain');
    const broker = await startBroker(configOf([free]));
    const [job] = await submitMany(broker, 1);
    const done = (await broker.waitFor(job!.id, 10_000))!;
    expect(done.status).toBe('succeeded');
    // The simulator's deterministic summary and token counts of the prompt, priced as configured.
    const prompt = `Document 0. ${TEXT}`;
    const summary = summarize(prompt, 64);
    expect(done.result?.content).toBe(summary.text);
    expect(TEXT).toContain(done.result!.content.split('. ')[0]!.replace(/\.$/, ''));
    expect(done.result?.provider).toBe(free.id);
    expect(done.result?.usage).toMatchObject({
      input_tokens: countTokens(prompt),
      output_tokens: summary.outputTokens,
    });
    expect(done.result?.cost_usd).toBeCloseTo(
      (countTokens(prompt) * 0.15 + summary.outputTokens * 0.6) / 1e6,
      12,
    );
    expect(done.attempts).toEqual([expect.objectContaining({ provider: free.id, outcome: 'succeeded' })]);
  });

  it('shares one quota between several worker processes: exact rate, no 429', async () => {
    const shared = provider('shared', { limits: [{ requests: 6, per: '1s' }], concurrency: 8 });
    const raw = configOf([shared]);
    const path = writeConfig(raw);
    const processes = await Promise.all(
      [1, 2, 3].map(() => startSwitchyard({ SWITCHYARD_CONFIG: path, SWITCHYARD_ROLE: 'worker' })),
    );
    try {
      const broker = await startBroker(raw, { workers: false });
      const jobs = await submitMany(broker, 24);
      const done = await finish(broker, jobs, 30_000);
      expect(done.map((job) => job.status)).toEqual(jobs.map(() => 'succeeded'));
      const stats = await simulator.stats(shared.id);
      expect(stats.rateLimited).toBe(0);
      expect(stats.succeeded).toBe(24);
      expect(
        busiestWindow(
          stats.log.map((entry) => entry.at),
          1_000,
        ),
      ).toBeLessThanOrEqual(6);
      // All three processes took part.
      const pids = new Set(
        processes.filter((child) => child.output().includes('"msg":"ready"')).map((p) => p.child.pid),
      );
      expect(pids.size).toBe(3);
    } finally {
      await Promise.all(processes.map((child) => child.stop()));
    }
  });

  it('pauses a provider for its Retry-After when it answers 429', async () => {
    // Switchyard is not told this provider's limit, and Gemini sends no rate-limit headers:
    // the 429's RetryInfo is all it learns from, and the whole queue waits that long.
    const secretive = provider('secretive', {
      format: 'gemini',
      limits: [],
      simLimits: [{ requests: 3, per: '2s' }],
      concurrency: 1,
    });
    const broker = await startBroker(configOf([secretive]));
    const jobs = await submitMany(broker, 6);
    const done = await finish(broker, jobs);
    expect(done.every((job) => job.status === 'succeeded')).toBe(true);
    const stats = await simulator.stats(secretive.id);
    expect(stats.rateLimited).toBe(1);
    const refused = stats.log.findIndex((entry) => entry.status === 429);
    const after = stats.log[refused + 1]!;
    // Retry-After is whole seconds (ceil of the exact wait): nothing was sent before it passed.
    expect(after.at - stats.log[refused]!.at).toBeGreaterThanOrEqual(1_000);
    const retried = done.filter((job) => job.attempts.some((attempt) => attempt.outcome === 'rate_limited'));
    expect(retried).toHaveLength(1);
  });

  it('pauses a provider whose rate-limit headers say a quota is at zero, before any 429', async () => {
    const talkative = provider('talkative', {
      limits: [],
      simLimits: [{ requests: 3, per: '2s' }],
      concurrency: 1,
    });
    const broker = await startBroker(configOf([talkative]));
    const jobs = await submitMany(broker, 6);
    const done = await finish(broker, jobs);
    expect(done.every((job) => job.status === 'succeeded')).toBe(true);
    const stats = await simulator.stats(talkative.id);
    expect(stats.rateLimited).toBe(0);
    expect(
      busiestWindow(
        stats.log.map((entry) => entry.at),
        2_000,
      ),
    ).toBeLessThanOrEqual(3);
  });

  it('moves a job on when the quota cannot admit it before its deadline', async () => {
    const capped = provider('capped', { limits: [{ requests: 2, per: '1h' }] });
    const paid = provider('paid', { tier: 'paid' });
    const broker = await startBroker(configOf([capped, paid]));
    const jobs = await submitMany(broker, 5, { deadline: Date.now() + 60_000 });
    const done = await finish(broker, jobs);
    expect(done.every((job) => job.status === 'succeeded')).toBe(true);
    const byProvider = done.map((job) => job.result!.provider).sort();
    expect(byProvider.filter((id) => id === capped.id)).toHaveLength(2);
    expect(byProvider.filter((id) => id === paid.id)).toHaveLength(3);
    const moved = done.filter((job) => job.result!.provider === paid.id);
    for (const job of moved) {
      expect(job.attempts[0]).toMatchObject({ provider: capped.id, outcome: 'skipped' });
    }
  });

  it('retries server errors on the same provider, then re-routes', async () => {
    const broken = provider('broken', { failures: { serverError: 1 } });
    const backup = provider('backup');
    const broker = await startBroker(configOf([broken, backup]));
    const [job] = await submitMany(broker, 1);
    const done = (await broker.waitFor(job!.id, 20_000))!;
    expect(done.status).toBe('succeeded');
    expect(done.result?.provider).toBe(backup.id);
    expect(
      done.attempts.map(
        (attempt) => `${attempt.provider === broken.id ? 'broken' : 'backup'}:${attempt.outcome}`,
      ),
    ).toEqual(['broken:server_error', 'broken:server_error', 'broken:server_error', 'backup:succeeded']);
  });

  it('leaves no deadline timer behind once its jobs have finished or moved on', async () => {
    const first = provider('first');
    const second = provider('second');
    const broker = await startBroker(configOf([first, second]));
    const done = await finish(broker, await submitMany(broker, 5));
    expect(done.map((job) => job.status)).toEqual(Array(5).fill('succeeded'));
    // Each job had a timer on its first target (a later one was left); none is left waiting.
    const deadlines = broker.queue('deadlines');
    expect(await deadlines.getJobCounts('delayed', 'waiting', 'prioritized')).toEqual({
      delayed: 0,
      waiting: 0,
      prioritized: 0,
    });
  });

  it('releases the quota of calls that never left (DNS failure), retries them, then re-routes', async () => {
    const unreachable = {
      ...provider('unreachable', { limits: [{ requests: 10, per: '1m' }] }),
      baseUrl: 'http://switchyard-no-such-host.invalid',
    };
    const backup = provider('backup');
    const broker = await startBroker(configOf([unreachable, backup]));
    const [job] = await submitMany(broker, 1);
    const done = (await broker.waitFor(job!.id, 20_000))!;
    expect(done.status).toBe('succeeded');
    expect(done.result?.provider).toBe(backup.id);
    expect(done.attempts.map((attempt) => attempt.outcome)).toEqual([
      'connection_failed',
      'connection_failed',
      'connection_failed',
      'succeeded',
    ]);
    const limits = [{ scope: 'provider', unit: 'requests' as const, max: 10, window: 60_000 }];
    const [usage] = await broker.quota.usage({ provider: unreachable.id, limits });
    expect(usage).toMatchObject({ used: 0, remaining: 10 });
  });

  it('sends a prompt too long for one model to the next target with a larger window', async () => {
    // The configuration claims a large window; the provider knows better and says so.
    const short = provider('short', { contextWindow: 32_000, simModels: [{ name: 'm', contextWindow: 40 }] });
    const long = provider('long');
    const broker = await startBroker(configOf([short, long]));
    const [job] = await submitMany(broker, 1);
    const done = (await broker.waitFor(job!.id, 10_000))!;
    expect(done.status).toBe('succeeded');
    expect(done.result?.provider).toBe(long.id);
    expect(done.attempts[0]).toMatchObject({ provider: short.id, outcome: 'context_length_exceeded' });
  });

  it('fails an invalid request without re-routing it', async () => {
    // The provider does not serve the model the configuration names: 404, an invalid request.
    const wrong = provider('wrong', { simModels: [{ name: 'other', contextWindow: 32_000 }] });
    const never = provider('never');
    const broker = await startBroker(configOf([wrong, never]));
    const [job] = await submitMany(broker, 1);
    const done = (await broker.waitFor(job!.id, 10_000))!;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('invalid_request');
    expect(done.attempts).toHaveLength(1);
    expect((await simulator.stats(never.id)).requests).toBe(0);
  });

  it('never sends a confidential job to a may-train provider, not even on fallback', async () => {
    const free = provider('trainer', { dataPolicy: 'may-train' });
    const vault = provider('vault', {
      tier: 'paid',
      dataPolicy: 'zero-retention',
      failures: { serverError: 1 },
    });
    const broker = await startBroker(configOf([free, vault]));
    const jobs = await submitMany(broker, 3, { sensitivity: 'confidential' });
    const done = await finish(broker, jobs);
    // The only admissible provider fails every call: the jobs fail rather than leak.
    expect(done.map((job) => job.status)).toEqual(['failed', 'failed', 'failed']);
    expect((await simulator.stats(free.id)).requests).toBe(0);
    expect((await simulator.stats(vault.id)).requests).toBe(9);
    // With no admissible provider at all, the submission itself is refused.
    await expect(
      broker.submit({
        tenant: 'acme',
        route: `${free.id}/m`,
        messages: [{ role: 'user', content: TEXT }],
        sensitivity: 'confidential',
      }),
    ).rejects.toMatchObject({ code: 'no_eligible_target' });
  });

  it('raises the sensitivity of a prompt with personal data, so it skips a may-train provider', async () => {
    const free = provider('free-pii', { dataPolicy: 'may-train' });
    const vault = provider('vault-pii', { tier: 'paid', dataPolicy: 'zero-retention' });
    const broker = await startBroker({ ...configOf([free, vault]), privacy: { detectPersonalData: true } });
    const [plain] = await submitMany(broker, 1);
    const [personal] = await submitMany(broker, 1, {
      messages: [
        { role: 'user', content: `${TEXT} Reply to ana.silva@example.org or IBAN GB82WEST12345698765432.` },
      ],
    });
    const [plainDone, personalDone] = await finish(broker, [plain!, personal!]);
    expect(plainDone!.result?.provider).toBe(free.id);
    expect(plainDone!.personal_data).toBeUndefined();
    expect(personalDone!.sensitivity).toBe('confidential');
    expect(personalDone!.personal_data).toEqual(['email', 'iban']);
    expect(personalDone!.result?.provider).toBe(vault.id);
    expect((await simulator.stats(free.id)).requests).toBe(1);
  });

  it('spills jobs from a slow free provider to a paid one before their deadline', async () => {
    const slow = provider('slow', { concurrency: 1, latency: { kind: 'fixed', ms: 1_500 } });
    const paid = provider('fast-paid', { tier: 'paid' });
    const broker = await startBroker(configOf([slow, paid]));
    const deadline = Date.now() + 8_000;
    const jobs = await submitMany(broker, 8, { deadline });
    const done = await finish(broker, jobs, 15_000);
    expect(done.every((job) => job.status === 'succeeded')).toBe(true);
    for (const job of done) expect(Date.parse(job.completed_at!)).toBeLessThanOrEqual(deadline);
    const onSlow = done.filter((job) => job.result!.provider === slow.id).length;
    expect(onSlow).toBeGreaterThanOrEqual(1);
    expect(onSlow).toBeLessThan(8);
  });

  it('lets the next free target take a job that left a busy one at its latest start, not the paid one', async () => {
    // Equal latencies: a job leaving `busy` at its latest start is past its latest start on
    // `spare` too, yet `spare` can start it at once, which beats sending it down to `paid`.
    const latency = { kind: 'fixed', ms: 1_000 };
    const busy = provider('busy', { concurrency: 1, latency });
    const spare = provider('spare', { latency });
    const paid = provider('late-paid', { tier: 'paid' });
    const broker = await startBroker(configOf([busy, spare, paid]));
    // Both latencies measured first, then `busy` kept busy by a job of its own.
    await finish(broker, [
      ...(await submitMany(broker, 1, { route: `${busy.id}/m` })),
      ...(await submitMany(broker, 1, { route: `${spare.id}/m` })),
    ]);
    const [blocker] = await submitMany(broker, 1, { route: `${busy.id}/m` });
    await until(() => simulator.stats(busy.id).inFlight === 1, {
      timeoutMs: 5_000,
      message: 'the blocker in flight on the busy provider',
    });

    const deadline = Date.now() + 2_600;
    const [job] = await submitMany(broker, 1, { deadline });
    const [done] = await finish(broker, [job!, blocker!]);
    expect(done!.status).toBe('succeeded');
    expect(done!.result?.provider).toBe(spare.id);
    expect(Date.parse(done!.completed_at!)).toBeLessThanOrEqual(deadline);
    expect(done!.attempts.map((attempt) => [attempt.provider, attempt.outcome, attempt.error?.code])).toEqual(
      [
        [busy.id, 'skipped', 'deadline_unreachable'],
        [spare.id, 'succeeded', undefined],
      ],
    );
    expect(simulator.stats(paid.id).requests).toBe(0);
  });

  it('finishes a job whose worker was killed with SIGKILL mid-call, with one result', async () => {
    const sluggish = provider('sluggish', { latency: { kind: 'fixed', ms: 2_500 } });
    const raw = configOf([sluggish]);
    const path = writeConfig(raw);
    const env = { SWITCHYARD_CONFIG: path, SWITCHYARD_ROLE: 'worker', SWITCHYARD_LOCK_DURATION_MS: '1500' };
    const doomed = await startSwitchyard(env);
    const broker = await startBroker(raw, { workers: false });
    const [job] = await submitMany(broker, 1);
    await until(async () => (await simulator.stats(sluggish.id)).inFlight > 0, {
      message: 'the job to reach the sluggish provider',
    });
    doomed.child.kill('SIGKILL');
    const heir = await startSwitchyard(env);
    try {
      const done = (await broker.waitFor(job!.id, 20_000))!;
      expect(done.status).toBe('succeeded');
      expect(done.attempts.filter((attempt) => attempt.outcome === 'succeeded')).toHaveLength(1);
      expect(done.result?.provider).toBe(sluggish.id);
    } finally {
      await heir.stop();
    }
  });

  it('tries a job again when its processing broke (its record unreadable), and runs it once that clears', async () => {
    const single = provider('broken-record');
    const config = configOf([single]);
    const broker = await startBroker(config, { workers: false });
    const [job] = await submitMany(broker, 1);
    const redis = new Redis(REDIS_URL);
    try {
      const key = createKeys(config.redis.prefix).job(job!.id);
      const plan = (await redis.hget(key, 'pl'))!;
      await redis.hset(key, 'pl', '{not json');
      await broker.startWorkers();
      const entry = `${job!.id}-0`;
      await until(
        async () => (await broker.queue(`provider.${single.id}`).getJobState(entry)) === 'delayed',
        {
          message: 'the entry put back after the processor broke',
          timeoutMs: 10_000,
        },
      );
      expect(simulator.stats(single.id).requests).toBe(0);
      await redis.hset(key, 'pl', plan);

      const [done] = await finish(broker, [job!]);
      expect(done!.status).toBe('succeeded');
      expect(done!.attempts.map((attempt) => attempt.outcome)).toEqual(['succeeded']);
      expect(simulator.stats(single.id).requests).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  it('runs interactive jobs ahead of batch jobs waiting in the same queue', async () => {
    const single = provider('single', { concurrency: 1 });
    const broker = await startBroker(configOf([single]), { workers: false });
    const batch = await submitMany(broker, 5, { priority: 'batch' });
    const [interactive] = await submitMany(broker, 1, { priority: 'interactive' });
    await broker.startWorkers();
    const done = await finish(broker, [...batch, interactive!]);
    const order = done.sort((a, b) => Date.parse(a.completed_at!) - Date.parse(b.completed_at!));
    expect(order[0]!.id).toBe(interactive!.id);
  });

  it('promotes a job near its latest start ahead of jobs with time to spare, instead of moving it on', async () => {
    // 300 ms a call, one at a time: 15 interactive jobs hold `single` for 4.5 s. The batch job
    // behind them must start within 3 s; promoted 2 s before that, it is served next.
    const single = provider('single', { concurrency: 1, latency: { kind: 'fixed', ms: 300 } });
    const paid = provider('promote-paid', { tier: 'paid' });
    const broker = await startBroker(configOf([single, paid]));
    await finish(broker, await submitMany(broker, 1, { route: `${single.id}/m` }));

    const interactive = await submitMany(broker, 15, { priority: 'interactive' });
    const latencyMs = 300;
    const [urgent] = await submitMany(broker, 1, {
      priority: 'batch',
      deadline: Date.now() + latencyMs + 1_000 + 3_000, // the default scheduling.deadlineMargin: 1 s
    });
    const done = await finish(broker, [urgent!, ...interactive]);

    expect(done.map((job) => job.result?.provider)).toEqual(Array(16).fill(single.id));
    expect(done[0]!.attempts.map((attempt) => attempt.outcome)).toEqual(['succeeded']);
    const urgentDone = Date.parse(done[0]!.completed_at!);
    const after = done.slice(1).filter((job) => Date.parse(job.completed_at!) > urgentDone).length;
    // Promoted at about 1 s, it passed every interactive job still waiting then (about 11).
    expect(after).toBeGreaterThanOrEqual(8);
  });

  it("orders a least-wait route by each target's expected start", async () => {
    const busy = provider('busy', { concurrency: 1 });
    const idle = provider('idle-b', { concurrency: 1 });
    const raw = configOf([busy, idle]);
    const broker = await startBroker(
      { ...raw, routes: { main: { strategy: 'least-wait', targets: [`${busy.id}/m`, `${idle.id}/m`] } } },
      { workers: false },
    );
    // A backlog on the first target only (no workers run yet).
    await Promise.all(
      Array.from({ length: 6 }, () =>
        broker.submit({ tenant: 'acme', route: `${busy.id}/m`, messages: [{ role: 'user', content: TEXT }] }),
      ),
    );
    const [job] = await submitMany(broker, 1);
    expect(job!.plan.map((target) => target.provider)).toEqual([idle.id, busy.id]);
  });

  it('cancels a queued job: it never reaches the provider and stays cancelled', async () => {
    const idle = provider('idle');
    const broker = await startBroker(configOf([idle]), { workers: false });
    const [job] = await submitMany(broker, 1);
    const cancelled = await broker.cancel(job!.id);
    expect(cancelled?.status).toBe('cancelled');
    await broker.startWorkers();
    // A job submitted after it runs to the end; by then the cancelled one would have run too.
    const [later] = await submitMany(broker, 1);
    expect((await broker.waitFor(later!.id, 10_000))?.status).toBe('succeeded');
    expect((await broker.get(job!.id))?.status).toBe('cancelled');
    expect((await simulator.stats(idle.id)).requests).toBe(1);
  });
});
