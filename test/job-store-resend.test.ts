import { connect, createServer, type Server, type Socket } from 'node:net';
import { createBrokerFor } from '@switchyard/app/broker';
import type { Broker, Job } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// A job-store transition that Redis applied but whose reply was lost (the connection dropped:
// Redis restarted) is sent again by ioredis once it reconnects. The second arrival must answer
// "applied", as the first did: found by the chaos test (test/chaos.test.ts), where a retry heard
// "refused", gave the job up and left it `queued` with no queue entry, for ever.

const prefix = testPrefix();
let proxy: Server;
let redis: Redis;
let broker: Broker;
let store: Broker['store'];
/** When set, the next reply from Redis is dropped and both connections are closed. */
let dropNextReply = false;

beforeAll(async () => {
  const target = new URL(REDIS_URL);
  proxy = createServer((client: Socket) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      if (dropNextReply) {
        dropNextReply = false;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(data);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  redis = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null });
  // The broker's job store, on a connection through the proxy.
  broker = createBrokerFor(parseConfig({ presets: 'off', redis: { prefix } }, {}), { redis });
  store = broker.store;
});

afterAll(async () => {
  await broker?.close();
  redis?.disconnect();
  await new Promise((resolve) => proxy?.close(resolve));
  await deleteKeys(prefix);
});

function newJob(id: string): Job {
  return {
    id,
    tenant: 't',
    status: 'queued',
    route: 'r',
    priority: 'interactive',
    sensitivity: 'public',
    plan: [{ provider: 'p', model: 'm' }],
    target: 0,
    tries: 0,
    deadline: Date.now() + 60_000,
    request: { messages: [{ role: 'user', content: 'Hello.' }] },
    attempts: [],
    created_at: new Date().toISOString(),
  };
}

it('answers "applied" to a transition heard twice, and applies it once', async () => {
  const id = `job_${prefix}`;
  expect(await store.create(newJob(id))).toBe(true);

  // The claim's reply is lost: re-sent, it must not count a second try.
  dropNextReply = true;
  expect(
    await store.transition(id, {
      target: 0,
      from: ['queued', 'running'],
      to: 'running',
      incrementTries: true,
    }),
  ).toEqual({ applied: true, status: 'running' });
  expect((await store.get(id))?.tries).toBe(1);

  // The retry's reply is lost: re-sent, it is still applied (and its attempt recorded once).
  dropNextReply = true;
  const attempt = {
    provider: 'p',
    model: 'm',
    outcome: 'server_error' as const,
    started_at: new Date().toISOString(),
    finished_at: new Date().toISOString(),
    latency_ms: 5,
  };
  expect(await store.transition(id, { target: 0, from: ['running'], to: 'queued', attempt })).toEqual({
    applied: true,
    status: 'queued',
  });
  const job = await store.get(id);
  expect(job?.status).toBe('queued');
  expect(job?.attempts).toEqual([attempt]);
  expect(job).not.toHaveProperty('transition');

  // Another caller's transition that does not fit is still refused.
  expect(await store.transition(id, { target: 0, from: ['running'], to: 'succeeded' })).toEqual({
    applied: false,
    status: 'queued',
    target: 0,
  });
});
