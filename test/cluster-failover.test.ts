import { createServices, type Services } from '@switchyard/app/services';
import type { Job } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from './support/poll.ts';
import { type RedisCluster, startRedisCluster } from './support/redis-cluster.ts';

// A replica takes over from a master while jobs stream through two worker processes' worth of
// services on a 3-master, 3-replica Redis Cluster: no accepted job may be lost or run twice.

const PREFIX = 'fo';
const JOBS = 120;

let cluster: RedisCluster;
let simulator: Simulator;
const services: Services[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1_000 });
  simulator = await startSimulator({
    providers: [
      {
        id: 'steady',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 8_000 }],
        latency: { kind: 'uniform', minMs: 20, maxMs: 60 },
      },
    ],
  });
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        {
          id: 'steady',
          kind: 'openai',
          baseUrl: simulator.baseUrlFor('steady'),
          tier: 'free',
          models: [{ name: 'm', contextWindow: 8_000, price: { input: 0, output: 0 } }],
          concurrency: 6,
          timeout: '5s',
        },
      ],
      routes: { main: { targets: ['steady/m'] } },
      redis: { url: cluster.url, prefix: PREFIX, cluster: true },
      auth: { apiKeys: [{ key: 'failover-key-0123456789', tenant: 'acme' }] },
    },
    {},
  );
  for (let index = 0; index < 2; index++) {
    const made = createServices(config, { lockDurationMs: 5_000 });
    services.push(made);
    await made.startWorkers();
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((made) => made.close()));
  await simulator?.close();
  await cluster?.stop();
});

it('loses no accepted job and runs none twice when a replica takes over mid-run', async () => {
  const { broker } = services[0]!;
  const accepted: string[] = [];
  let refused = 0;
  let failingOver: Promise<{ from: number; to: number }> | undefined;
  // The master of the provider queue's slot: BullMQ's waiting list, locks and events live there.
  const queueName = broker.keys.providerQueue('steady');
  const queueKey = `${broker.keys.queuePrefix(queueName)}:${queueName}:wait`;

  for (let index = 0; index < JOBS; index++) {
    if (index === JOBS / 3) {
      // Awaited after the loop: submissions go on while the replica takes over.
      failingOver = cluster.failOver(queueKey);
    }
    try {
      const job = await broker.submit({
        tenant: 'acme',
        route: 'main',
        messages: [{ role: 'user', content: `Job ${index}. It runs through a failover.` }],
        maxTokens: 16,
      });
      accepted.push(job.id);
    } catch {
      refused++;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  const failedOver = await failingOver;
  const finished = await until(
    async () => {
      const jobs = await Promise.all(accepted.map((id) => broker.get(id)));
      return jobs.every((job) => job?.status === 'succeeded') ? (jobs as Job[]) : undefined;
    },
    { message: 'every accepted job to succeed', timeoutMs: 45_000 },
  );
  expect(failedOver).toBeDefined();
  expect(failedOver!.to).not.toBe(failedOver!.from);
  expect(await cluster.masterOf(queueKey)).toBe(failedOver!.to);
  // Submissions were held while the slot moved, not refused.
  expect(refused).toBe(0);
  expect(finished).toHaveLength(JOBS);

  // Exactly once: the provider got one call per job, and every job has one attempt.
  const stats = simulator.stats('steady');
  expect(stats.requests).toBe(JOBS);
  expect(stats.succeeded).toBe(JOBS);
  for (const job of finished)
    expect(job.attempts.map((attempt: Job['attempts'][number]) => attempt.outcome)).toEqual(['succeeded']);
}, 80_000);
