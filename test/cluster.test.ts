import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '@switchyard/app/app';
import { createServices, type Services } from '@switchyard/app/services';
import { type AttemptEvent, createBudgets, createRedis } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/poll.ts';
import { type RedisCluster, startRedisCluster } from './support/redis-cluster.ts';

// The whole service on a real 3-master Redis Cluster: three Switchyard processes' worth of
// services (one serving the API) share one cluster, the provider simulator answers.

const KEY = 'cluster-key-0123456789abcdef';
const SECRET = 'whsec_c3dpdGNoeWFyZC1jbHVzdGVyLXdlYmhvb2stc2VjcmV0';
const PREFIX = 'sy';
/** The limit Switchyard and the simulator both enforce: any 1 s holds at most 8 calls. */
const LIMIT = { requests: 8, per: '1s' };

let cluster: RedisCluster;
let simulator: Simulator;
const services: Services[] = [];
let app: Awaited<ReturnType<typeof buildApp>>;
let receiver: Server;
let callbackUrl: string;
const deliveries: { id: string; type: string }[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  simulator = await startSimulator({
    providers: [
      { id: 'limited', format: 'openai', models: [{ name: 'm', contextWindow: 8_000 }], limits: [LIMIT] },
      {
        id: 'broken',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 8_000 }],
        failures: { serverError: 1 },
      },
      { id: 'backup', format: 'anthropic', models: [{ name: 'm', contextWindow: 8_000 }] },
    ],
  });
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      deliveries.push({ id: String(request.headers['webhook-id']), type: JSON.parse(body).type });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  const provider = (id: string, kind: string) => ({
    id,
    kind,
    baseUrl: simulator.baseUrlFor(id),
    tier: 'free',
    models: [{ name: 'm', contextWindow: 8_000, price: { input: 1, output: 2 } }],
    concurrency: 4,
    timeout: '5s',
  });
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        { ...provider('limited', 'openai'), limits: [LIMIT] },
        provider('broken', 'openai'),
        provider('backup', 'anthropic'),
      ],
      routes: {
        quota: { targets: ['limited/m'] },
        fallback: { strategy: 'priority', targets: ['broken/m', 'backup/m'] },
      },
      redis: { url: cluster.url, prefix: PREFIX, cluster: true },
      auth: { apiKeys: [{ key: KEY, tenant: 'acme' }] },
      webhooks: { secret: SECRET, allowPrivateNetworks: true },
      scheduling: { retriesPerTarget: 1 },
    },
    {},
  );
  for (let index = 0; index < 3; index++) {
    const made = createServices(config, { lockDurationMs: 2_000 });
    services.push(made);
    await made.startWorkers();
  }
  app = await buildApp(services[0]!);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.all(services.map((made) => made.close()));
  await simulator?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await cluster?.stop();
});

const auth = { authorization: `Bearer ${KEY}` };

async function submit(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const reply = await app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: { ...auth, ...headers },
    payload: body,
  });
  expect(reply.statusCode).toBe(202);
  return reply.json() as { id: string };
}

async function waitForJob(id: string) {
  const reply = await app.inject({ method: 'GET', url: `/v1/jobs/${id}?wait=20`, headers: auth });
  expect(reply.statusCode).toBe(200);
  return reply.json() as {
    status: string;
    result?: { provider: string; content: string };
    attempts: { provider: string; outcome: string }[];
  };
}

const message = (text: string) => ({ messages: [{ role: 'user', content: text }], max_tokens: 16 });

describe('Switchyard on a 3-master Redis Cluster', () => {
  it('runs jobs within a quota shared exactly by three workers', async () => {
    const jobs = 24;
    const started = Date.now();
    const accepted = await Promise.all(
      Array.from({ length: jobs }, (_, index) =>
        submit({ route: 'quota', ...message(`Quota job ${index}. It has two sentences.`) }),
      ),
    );
    const finished = await Promise.all(accepted.map(({ id }) => waitForJob(id)));
    expect(finished.map((job) => job.status)).toEqual(Array(jobs).fill('succeeded'));
    const stats = simulator.stats('limited');
    // Exact: the simulator never had to refuse a call, so no 1 s window held more than 8.
    expect(stats.rateLimited).toBe(0);
    expect(stats.succeeded).toBe(jobs);
    // 24 calls at 8 per second take at least two full windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it('answers an Idempotency-Key with the same job', async () => {
    const headers = { 'idempotency-key': 'cluster-once' };
    const first = await submit({ route: 'quota', ...message('Once. Only once.') }, headers);
    const again = await submit({ route: 'quota', ...message('Once. Only once.') }, headers);
    expect(again.id).toBe(first.id);
    expect((await waitForJob(first.id)).status).toBe('succeeded');
  });

  it('streams a chat completion through the job stream', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth,
      payload: { model: 'fallback', stream: true, ...message('Stream it. Piece by piece.') },
    });
    expect(reply.statusCode).toBe(200);
    const chunks = reply.body
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
      .map((line) => JSON.parse(line.slice('data: '.length)));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(text.length).toBeGreaterThan(0);
    expect('Stream it. Piece by piece.').toContain(text.split(' ')[0]!);
    expect(reply.body.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('falls back to the next target when the first fails', async () => {
    const { id } = await submit({ route: 'fallback', ...message('Fall back. Then succeed.') });
    const job = await waitForJob(id);
    expect(job.status).toBe('succeeded');
    expect(job.result?.provider).toBe('backup');
    expect(job.attempts.map((attempt) => attempt.provider)).toContain('broken');
  });

  it('runs a batch to completion, lists it and its file, and sends its webhooks', async () => {
    const requests = Array.from({ length: 12 }, (_, index) => ({
      custom_id: `line-${index}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'fallback', ...message(`Batch line ${index}. Summarize me.`) },
    }));
    const created = await app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth,
      payload: {
        requests,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        callback_url: callbackUrl,
      },
    });
    expect(created.statusCode).toBe(200);
    const { id, input_file_id: inputFileId } = created.json() as { id: string; input_file_id: string };
    const batch = await until(
      async () => {
        const current = (await app.inject({ method: 'GET', url: `/v1/batches/${id}`, headers: auth })).json();
        return current.status === 'completed' ? current : undefined;
      },
      { message: 'the batch to complete', timeoutMs: 30_000 },
    );
    expect(batch.request_counts).toEqual({ total: 12, completed: 12, failed: 0 });
    const output = await app.inject({
      method: 'GET',
      url: `/v1/files/${batch.output_file_id}/content`,
      headers: auth,
    });
    expect(output.body.trim().split('\n')).toHaveLength(12);

    const batches = (await app.inject({ method: 'GET', url: '/v1/batches', headers: auth })).json();
    expect(batches.data.map((listed: { id: string }) => listed.id)).toContain(id);
    const files = (await app.inject({ method: 'GET', url: '/v1/files', headers: auth })).json();
    expect(files.data.map((listed: { id: string }) => listed.id)).toContain(inputFileId);

    await until(
      () => (deliveries.some((delivery) => delivery.type === 'batch.completed') ? true : undefined),
      { message: 'the batch.completed webhook', timeoutMs: 15_000 },
    );
    await until(
      () =>
        deliveries.filter((delivery) => delivery.type === 'job.succeeded').length >= 12 ? true : undefined,
      { message: 'one job.succeeded webhook per line', timeoutMs: 15_000 },
    );
  });

  it('counts usage (the budgets) on the cluster', async () => {
    await Promise.all(services.map((made) => made.budgets.flush()));
    const usage = await until(
      async () => {
        const reply = (
          await app.inject({ method: 'GET', url: '/v1/usage?group_by=provider', headers: auth })
        ).json();
        return reply.total.requests > 0 ? reply : undefined;
      },
      { message: 'the usage report to count requests' },
    );
    const providers = usage.data.map((group: { key: string }) => group.key);
    expect(providers).toEqual(expect.arrayContaining(['limited', 'backup']));
    expect(usage.total.cost_usd).toBeGreaterThan(0);
  });

  it('reports a usage write Redis refused instead of swallowing it', async () => {
    const redis = createRedis({ url: cluster.url, cluster: true }, { enableOfflineQueue: false });
    const errors: unknown[] = [];
    const budgets = createBudgets({
      redis,
      prefix: PREFIX,
      config: services[0]!.config,
      onError: (error) => errors.push(error),
    });
    redis.disconnect();
    const job = (await services[0]!.broker.get(
      (
        await submit({ route: 'quota', ...message('Counted. Or not.') })
      ).id,
    ))!;
    budgets.onAttempt({
      job,
      attempt: { provider: 'limited', model: 'm', outcome: 'succeeded' },
      next: 'done',
      usage: { inputTokens: 10, outputTokens: 5 },
      costUsd: 0.001,
    } as AttemptEvent);
    await budgets.flush();
    budgets.close();
    expect(errors).toHaveLength(1);
  });

  it('spreads its keys over every master, and its queues over more than one', async () => {
    const perMaster = await Promise.all(
      cluster.ports.map(async (port) => {
        const node = new Redis(port, '127.0.0.1');
        try {
          return await node.dbsize();
        } finally {
          node.disconnect();
        }
      }),
    );
    for (const count of perMaster) expect(count).toBeGreaterThan(5);

    const { keys } = services[0]!.broker;
    const queues = [
      ...['limited', 'broken', 'backup'].map((id) => keys.providerQueue(id)),
      keys.deadlineQueue,
      keys.finalizeQueue,
    ];
    const masters = await Promise.all(
      queues.map((name) => cluster.masterOf(`${keys.queuePrefix(name)}:${name}:wait`)),
    );
    expect(keys.queuePrefix(keys.finalizeQueue)).toBe(`{${PREFIX}:${keys.finalizeQueue}}`);
    expect(new Set(masters).size).toBeGreaterThan(1);
  });
});
