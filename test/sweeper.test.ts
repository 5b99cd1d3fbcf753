import { createBrokerFor } from '@switchyard/app/broker';
import { BANDS, type Broker, type BrokerOptions, type Job } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/poll.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// The sweeper reconciles job records with BullMQ. Each test puts a job in a state BullMQ cannot
// leave by itself (by deleting a lock or a queue entry, as a dead process would leave it), then
// lets the sweeper's scheduled run, in a started broker, bring the job to a terminal state.

let simulator: Simulator;
let redis: Redis;
const prefixes: string[] = [];
const brokers: Broker[] = [];
let counter = 0;

beforeAll(async () => {
  simulator = await startSimulator({ providers: [] });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

afterAll(async () => {
  await simulator.close();
  await redis.quit();
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

function provider(name: string) {
  const id = `${name}-${++counter}`;
  simulator.addProvider({ id, format: 'openai', models: [{ name: 'm', contextWindow: 32_000 }], limits: [] });
  return {
    id,
    kind: 'openai',
    baseUrl: simulator.baseUrlFor(id),
    apiKey: 'sim-key',
    tier: 'free',
    dataPolicy: 'may-train',
    models: [{ name: 'm', contextWindow: 32_000, price: { input: 0, output: 0 } }],
    limits: [],
    concurrency: 4,
    timeout: '10s',
  };
}

/** A broker over `providers` (route `main`, in order), sweeping every 300 ms from the start. */
function brokerOver(providers: ReturnType<typeof provider>[], options: Partial<BrokerOptions> = {}) {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const config = parseConfig(
    {
      presets: 'off',
      providers,
      routes: { main: { strategy: 'priority', targets: providers.map((entry) => `${entry.id}/m`) } },
      redis: { url: REDIS_URL, prefix },
    },
    {},
  );
  const broker = createBrokerFor(config, {
    lockDurationMs: 2_000,
    stalledIntervalMs: 1_000,
    sweeper: { intervalMs: 300, recheckMs: 300, firstSweepAfterMs: 0 },
    ...options,
  });
  brokers.push(broker);
  return broker;
}

function submit(broker: Broker): Promise<Job> {
  return broker.submit({
    tenant: 'acme',
    route: 'main',
    messages: [{ role: 'user', content: 'The river rose overnight. Crews worked until dawn.' }],
    maxTokens: 32,
  });
}

/** Takes the job's queue entry as a worker would (active, locked), then drops the lock: a dead worker. */
async function takeAndDie(broker: Broker, job: Job, providerId: string): Promise<void> {
  const queue = broker.queue(broker.keys.providerQueue(providerId));
  const taker = new Worker(queue.name, null, { connection: redis, prefix: queue.opts.prefix });
  const taken = await taker.getNextJob('dead-worker');
  expect(taken?.id).toBe(`${job.id}-0`);
  const claimed = await broker.store.transition(job.id, {
    target: 0,
    from: ['queued'],
    to: 'running',
    incrementTries: true,
  });
  expect(claimed.applied).toBe(true);
  await redis.del(`${queue.toKey(taken!.id!)}:lock`);
  await taker.close();
}

describe('sweeper', () => {
  it('moves a running job whose worker died (active entry, no lock) to its next target, where it succeeds', async () => {
    const first = provider('lost');
    const second = provider('next');
    const broker = brokerOver([first, second]);
    const job = await submit(broker);
    await takeAndDie(broker, job, first.id);
    // Only the second provider has workers here, so nothing but the sweeper notices the loss.
    await broker.startWorkers({ providers: [second.id] });
    const done = await broker.waitFor(job.id, 15_000);
    expect(done?.status).toBe('succeeded');
    expect(done?.result?.provider).toBe(second.id);
    expect(done?.attempts.map((attempt) => attempt.error?.code ?? attempt.outcome)).toEqual([
      'worker_lost',
      'succeeded',
    ]);
    expect(done?.attempts[0]?.error?.message).toMatch(/lost its lock/);
  });

  it('fails a running job with no queue entry on its last target, with its history', async () => {
    const only = provider('only');
    const broker = brokerOver([only]);
    const job = await submit(broker);
    await takeAndDie(broker, job, only.id);
    await broker.queue(broker.keys.providerQueue(only.id)).remove(`${job.id}-0`);
    await broker.startWorkers();
    const done = await until(
      async () => {
        const found = await broker.get(job.id);
        return found?.status === 'failed' && found;
      },
      { message: 'the job to fail' },
    );
    expect(done.error?.code).toBe('all_targets_failed');
    expect(done.attempts.map((attempt) => attempt.error?.code)).toEqual(['worker_lost']);
    expect(done.attempts[0]?.error?.message).toMatch(/entry is gone/);
    expect(await redis.zscore(broker.keys.openJobs, job.id)).toBeNull();
  });

  it('enqueues again a queued job whose queue entry is missing', async () => {
    const only = provider('requeue');
    const broker = brokerOver([only]);
    const job = await submit(broker);
    // A process died between writing the record and adding the entry.
    await broker.queue(broker.keys.providerQueue(only.id)).remove(`${job.id}-0`);
    const report = await broker.sweeper.sweep();
    expect(report).toMatchObject({ checked: 1, requeued: 1, recovered: 0 });
    await broker.startWorkers();
    const done = await broker.waitFor(job.id, 15_000);
    expect(done?.status).toBe('succeeded');
    expect(done?.attempts.map((attempt) => attempt.outcome)).toEqual(['succeeded']);
  });

  it("gives a job left parked at its band's end its fair-share turn", async () => {
    const only = provider('parked');
    const broker = brokerOver([only]);
    const queue = broker.queue(broker.keys.providerQueue(only.id));
    const job = await submit(broker);
    const entry = (await queue.getJob(`${job.id}-0`))!;
    const turn = entry.priority;
    // A process died between adding the entry (parked at the band's end) and tagging it.
    await entry.changePriority({ priority: BANDS.interactive.last });
    await broker.sweeper.sweep();
    expect((await queue.getJob(`${job.id}-0`))!.priority).toBeLessThan(BANDS.interactive.last);
    expect(turn).toBeLessThan(BANDS.interactive.last);
  });

  it('moves on a job whose entry BullMQ failed for stalling too often, although attempts were left', async () => {
    const first = provider('stalls');
    const second = provider('after-stalls');
    const broker = brokerOver([first, second], { sweeper: { intervalMs: 60_000 } });
    const job = await submit(broker);
    // What BullMQ's stalled check writes on an entry that stalled more than `maxStalledCount`
    // times: the next worker to take it fails it at once, without running it.
    const queue = broker.queue(broker.keys.providerQueue(first.id));
    await redis.hset(queue.toKey(`${job.id}-0`), 'defa', 'job stalled more than allowable limit');
    await broker.startWorkers();
    const done = await broker.waitFor(job.id, 15_000);
    expect(done?.status).toBe('succeeded');
    expect(done?.result?.provider).toBe(second.id);
    expect(done?.attempts[0]?.error).toEqual({
      code: 'worker_lost',
      message: 'its queue entry failed: job stalled more than allowable limit',
    });
  });

  it('retries failed follow-ups until they are done, and counts them as pending meanwhile', async () => {
    const only = provider('finalize');
    let broken = true;
    const finalized: string[] = [];
    const broker = brokerOver([only], {
      onTerminal: async (job) => {
        if (broken) throw new Error('webhook queue unreachable');
        finalized.push(job.id);
      },
      sweeper: { intervalMs: 500 },
    });
    await broker.startWorkers();
    const job = await submit(broker);
    expect((await broker.waitFor(job.id, 15_000))?.status).toBe('succeeded');
    // A follow-up with its attempts spent (one here, ten in the dispatcher).
    await broker
      .queue(broker.keys.finalizeQueue)
      .add('finalize', { id: job.id }, { jobId: `${job.id}-final`, attempts: 1 });
    await until(async () => (await broker.finalizePending()) === 1, { message: 'the follow-up to fail' });
    broken = false;
    // The count drops as the sweeper sends the entry back to its queue, before it runs there.
    await until(async () => finalized.length > 0 && (await broker.finalizePending()) === 0, {
      message: 'the sweeper to retry it',
    });
    expect(finalized).toEqual([job.id]);
  });

  it('keeps its work per run within the batch, oldest checks first', async () => {
    const only = provider('bounded');
    const broker = brokerOver([only], { sweeper: { batch: 2, recheckMs: 60_000, firstSweepAfterMs: 0 } });
    const jobs = [];
    for (let index = 0; index < 5; index++) jobs.push(await submit(broker));
    const first = await broker.sweeper.sweep();
    const second = await broker.sweeper.sweep();
    const third = await broker.sweeper.sweep();
    const fourth = await broker.sweeper.sweep();
    expect([first.checked, second.checked, third.checked, fourth.checked]).toEqual([2, 2, 1, 0]);
    // Healthy queued jobs are left alone.
    expect(first.requeued + first.recovered + second.requeued + third.recovered).toBe(0);
  });
});
