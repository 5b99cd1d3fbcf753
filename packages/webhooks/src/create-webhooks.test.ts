import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/support/poll.ts';
import { checkCallbackUrl } from './check-callback-url.ts';
import {
  createWebhooks,
  type DeliveryAttempt,
  type Webhooks,
  type WebhooksOptions,
} from './create-webhooks.ts';
import { generateWebhookSecret, verifyWebhook } from './sign-webhook.ts';
import {
  connect,
  deleteKeys,
  type ReceivedRequest,
  type Receiver,
  startReceiver,
  testPrefix,
} from './test-support.ts';
import { WebhookError } from './webhook-error.ts';
import { WEBHOOK_QUEUE } from './webhook-keys.ts';

// Delivery end to end: a real Redis, BullMQ and a real receiver on 127.0.0.1.

const filePrefix = testPrefix();
const secret = generateWebhookSecret();
let redis: Redis;
let receiver: Receiver;
let stacks = 0;
let subjects = 0;
const closers: (() => Promise<void>)[] = [];
const prefixes = new WeakMap<Webhooks, string>();

beforeAll(async () => {
  redis = connect();
  receiver = await startReceiver();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

afterAll(async () => {
  await receiver.close();
  await deleteKeys(redis, filePrefix);
  await redis.quit();
});

/** Webhooks with a worker, on a prefix (hence a queue) of their own. */
async function start(options: Partial<WebhooksOptions> = {}): Promise<Webhooks> {
  const prefix = `${filePrefix}-${++stacks}`;
  const webhooks = createWebhooks({
    redis,
    prefix,
    secret,
    allowPrivateNetworks: true,
    retentionMs: 60_000,
    schedule: [0, 100, 200],
    timeoutMs: 2_000,
    ...options,
  });
  prefixes.set(webhooks, prefix);
  closers.push(() => webhooks.close());
  await webhooks.startWorker();
  return webhooks;
}

function subject(): string {
  return `job_test${++subjects}`;
}

/** Each test its own receiver path. */
function path(): string {
  return `/hook/${subjects}-${Math.random().toString(36).slice(2)}`;
}

/** The delivery log once its last entry is final. */
function settled(webhooks: Webhooks, of: string): Promise<DeliveryAttempt[]> {
  return until(
    async () => {
      const attempts = await webhooks.deliveries(of);
      return attempts.at(-1)?.outcome === 'retrying' || attempts.length === 0 ? undefined : attempts;
    },
    { message: `a final delivery of ${of}` },
  );
}

function expectSigned(request: ReceivedRequest) {
  const headers = request.headers as Record<string, string>;
  expect(new Webhook(secret).verify(request.body, headers)).toBeTruthy();
  expect(verifyWebhook({ secret, headers, body: request.body })).toBe(true);
}

describe('createWebhooks', () => {
  it('delivers a signed event once, and records it', async () => {
    const webhooks = await start();
    const id = subject();
    const to = path();
    const before = Math.floor(Date.now() / 1000);
    const webhookId = await webhooks.send({
      type: 'job.succeeded',
      subject: id,
      url: receiver.url(to),
      data: { id },
    });
    expect(webhookId).toBe(`msg_${id}_job_succeeded`);

    const [attempt] = await settled(webhooks, id);
    expect(attempt).toMatchObject({
      webhook_id: webhookId,
      event: 'job.succeeded',
      url: receiver.url(to),
      attempt: 1,
      status: 200,
      outcome: 'delivered',
    });
    expect(attempt).not.toHaveProperty('error');
    expect(attempt!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(attempt!.at)).toBeGreaterThanOrEqual(before * 1000);

    const requests = receiver.requestsTo(to);
    expect(requests).toHaveLength(1);
    const [request] = requests as [ReceivedRequest];
    expect(request.method).toBe('POST');
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Switchyard-Webhooks/0.1',
      'webhook-id': webhookId,
    });
    const timestamp = Number(request.headers['webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expectSigned(request);
    const body = JSON.parse(request.body);
    expect(body).toEqual({ type: 'job.succeeded', timestamp: expect.any(String), data: { id } });
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    expect(request.body).not.toContain(secret.slice(6));
  });

  it('retries 500s on the schedule with the same webhook-id, recording every attempt', async () => {
    const webhooks = await start();
    const id = subject();
    const to = path();
    receiver.answer(to, (count) => ({ status: count <= 2 ? 500 : 200 }));
    await webhooks.send({ type: 'job.failed', subject: id, url: receiver.url(to), data: { id } });

    const attempts = await settled(webhooks, id);
    expect(attempts.map(({ attempt, status, outcome }) => ({ attempt, status, outcome }))).toEqual([
      { attempt: 1, status: 500, outcome: 'retrying' },
      { attempt: 2, status: 500, outcome: 'retrying' },
      { attempt: 3, status: 200, outcome: 'delivered' },
    ]);
    expect(attempts[0]!.error).toBe('HTTP 500');
    const requests = receiver.requestsTo(to);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers['webhook-id']))).toEqual(
      new Set([`msg_${id}_job_failed`]),
    );
    expect(new Set(requests.map((request) => request.body)).size).toBe(1);
    for (const request of requests) expectSigned(request);
    // The schedule's gaps (100 ms, then 200 ms, each ±10%) separate the attempts.
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(85);
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(175);
  });

  it('gives up after the last attempt of the schedule', async () => {
    const webhooks = await start({ schedule: [0, 50] });
    const id = subject();
    const to = path();
    receiver.answer(to, () => ({ status: 503 }));
    await webhooks.send({ type: 'job.failed', subject: id, url: receiver.url(to), data: null });
    const attempts = await settled(webhooks, id);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['retrying', 'gave_up']);
    expect(receiver.requestsTo(to)).toHaveLength(2);
  });

  it('stops at once on 410 Gone', async () => {
    const webhooks = await start();
    const id = subject();
    const to = path();
    receiver.answer(to, () => ({ status: 410 }));
    await webhooks.send({ type: 'job.succeeded', subject: id, url: receiver.url(to), data: null });
    const attempts = await settled(webhooks, id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, status: 410, outcome: 'gave_up' });
    expect(attempts[0]!.error).toMatch(/410/);
    expect(receiver.requestsTo(to)).toHaveLength(1);
  });

  it('waits as long as a 429 Retry-After asks before trying again', async () => {
    const webhooks = await start();
    const id = subject();
    const to = path();
    receiver.answer(to, (count) =>
      count === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    await webhooks.send({ type: 'job.succeeded', subject: id, url: receiver.url(to), data: null });
    const attempts = await settled(webhooks, id);
    expect(attempts.map(({ status, outcome }) => ({ status, outcome }))).toEqual([
      { status: 429, outcome: 'retrying' },
      { status: 200, outcome: 'delivered' },
    ]);
    const [first, second] = receiver.requestsTo(to) as [ReceivedRequest, ReceivedRequest];
    expect(second.at - first.at).toBeGreaterThanOrEqual(1_000);
    expect(Number(second.headers['webhook-timestamp'])).toBeGreaterThan(
      Number(first.headers['webhook-timestamp']),
    );
  });

  it('treats a redirect as a failure and never requests its target', async () => {
    const webhooks = await start({ schedule: [0, 50] });
    const id = subject();
    const to = path();
    const target = `${to}/target`;
    receiver.answer(to, () => ({ status: 302, headers: { location: receiver.url(target) } }));
    await webhooks.send({ type: 'batch.completed', subject: id, url: receiver.url(to), data: null });
    const attempts = await settled(webhooks, id);
    expect(attempts.map(({ status, outcome }) => ({ status, outcome }))).toEqual([
      { status: 302, outcome: 'retrying' },
      { status: 302, outcome: 'gave_up' },
    ]);
    expect(attempts[0]!.error).toMatch(/redirects are not followed/);
    expect(receiver.requestsTo(to)).toHaveLength(2);
    expect(receiver.requestsTo(target)).toHaveLength(0);
  });

  it('bounds each attempt by the timeout', async () => {
    const webhooks = await start({ timeoutMs: 200 });
    const id = subject();
    const to = path();
    receiver.answer(to, (count) => (count === 1 ? 'hang' : { status: 204 }));
    await webhooks.send({ type: 'job.succeeded', subject: id, url: receiver.url(to), data: null });
    const attempts = await settled(webhooks, id);
    expect(attempts.map(({ outcome }) => outcome)).toEqual(['retrying', 'delivered']);
    expect(attempts[0]!.error).toBe('no response within 200 ms');
    expect(attempts[0]!.duration_ms).toBeGreaterThanOrEqual(190);
    expect(attempts[1]!.status).toBe(204);
  });

  it('is one delivery when the same (subject, type) is sent twice', async () => {
    const webhooks = await start();
    const id = subject();
    const to = path();
    const event = { type: 'job.succeeded' as const, subject: id, url: receiver.url(to), data: { id } };
    const ids = await Promise.all([webhooks.send(event), webhooks.send(event)]);
    expect(new Set(ids).size).toBe(1);
    await settled(webhooks, id);
    // After delivery too (a resend after a crash): the queue takes nothing new.
    expect(await webhooks.send(event)).toBe(ids[0]);
    expect(await countsOf(webhooks)).toEqual({
      waiting: 0,
      delayed: 0,
      active: 0,
      prioritized: 0,
      completed: 1,
      failed: 0,
    });
    expect(receiver.requestsTo(to)).toHaveLength(1);
    expect(await webhooks.deliveries(id)).toHaveLength(1);
    // Another event of the same subject is its own delivery.
    await webhooks.send({ ...event, type: 'job.failed' });
    await until(async () => (await webhooks.deliveries(id)).length === 2, { message: 'the second delivery' });
    expect(receiver.requestsTo(to).map((request) => request.headers['webhook-id'])).toEqual([
      `msg_${id}_job_succeeded`,
      `msg_${id}_job_failed`,
    ]);
  });

  it('refuses to send without a secret, and never sends unsigned', async () => {
    const prefix = `${filePrefix}-${++stacks}`;
    const webhooks = createWebhooks({ redis, prefix, allowPrivateNetworks: true, retentionMs: 60_000 });
    prefixes.set(webhooks, prefix);
    closers.push(() => webhooks.close());
    const sent = webhooks.send({
      type: 'job.succeeded',
      subject: subject(),
      url: receiver.url(path()),
      data: null,
    });
    await expect(sent).rejects.toSatisfy(
      (error) => WebhookError.isInstance(error) && error.code === 'webhooks_not_configured',
    );
    await expect(webhooks.startWorker()).rejects.toThrow(/signing secret/);
    expect(await countsOf(webhooks)).toMatchObject({ waiting: 0, delayed: 0, completed: 0, failed: 0 });
  });

  it('refuses a malformed secret without repeating it', () => {
    const malformed = 'whsec_!!definitely-not-base64!!';
    expect(() =>
      createWebhooks({
        redis,
        prefix: filePrefix,
        secret: malformed,
        allowPrivateNetworks: true,
        retentionMs: 1,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_webhook_secret',
        message: expect.not.stringContaining('definitely'),
      }),
    );
  });

  it('refuses events it could not deliver', async () => {
    const webhooks = await start();
    const url = receiver.url(path());
    const cases = [
      { type: 'job.succeeded' as const, subject: 'job:1', url, data: null },
      { type: 'job.started' as 'job.failed', subject: subject(), url, data: null },
      { type: 'job.succeeded' as const, subject: subject(), url: 'ftp://example.com/', data: null },
    ];
    for (const event of cases) {
      await expect(webhooks.send(event)).rejects.toSatisfy(
        (error) => WebhookError.isInstance(error) && error.code === 'invalid_webhook_event',
      );
    }
  });
});

describe('createWebhooks and private networks', () => {
  // Each case its own path on the receiver (the private addresses would all reach it).
  const cases = [
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/ssrf/1`],
    ['localhost', (port: number) => `http://localhost:${port}/ssrf/2`],
    ['[::1]', (port: number) => `http://[::1]:${port}/ssrf/3`],
    ['10.x', () => 'http://10.0.0.1/ssrf/4'],
    ['169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/'],
    ['::ffff:127.0.0.1', (port: number) => `http://[::ffff:127.0.0.1]:${port}/ssrf/6`],
    ['0x7f.1', (port: number) => `http://0x7f.1:${port}/ssrf/7`],
  ] as const;

  it.each(cases)('never delivers to %s unless allowed', async (_name, urlAt) => {
    const webhooks = await start({ allowPrivateNetworks: false });
    const id = subject();
    const url = urlAt(receiver.port);
    expect(await checkCallbackUrl(url, { allowPrivateNetworks: false })).toMatchObject({
      code: 'private_callback_url',
    });
    expect(await checkCallbackUrl(url, { allowPrivateNetworks: true })).toMatchObject({ ok: true });
    await webhooks.send({ type: 'job.succeeded', subject: id, url, data: null });
    const attempts = await settled(webhooks, id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, outcome: 'gave_up' });
    expect(attempts[0]).not.toHaveProperty('status');
    expect(attempts[0]!.error).toMatch(
      /must not reach a private, loopback, link-local or other non-public address/,
    );
    expect(receiver.requestsTo(new URL(url).pathname)).toHaveLength(0);
  });

  it('delivers to loopback when private networks are allowed', async () => {
    const webhooks = await start({ allowPrivateNetworks: true });
    for (const url of [receiver.url('/private-ok'), `http://localhost:${receiver.port}/private-ok`]) {
      const id = subject();
      await webhooks.send({ type: 'job.succeeded', subject: id, url, data: null });
      expect((await settled(webhooks, id)).map((attempt) => attempt.outcome)).toEqual(['delivered']);
    }
    expect(receiver.requestsTo('/private-ok')).toHaveLength(2);
  });
});

/** The jobs of a stack's `webhooks` queue, by state. */
async function countsOf(webhooks: Webhooks): Promise<Record<string, number>> {
  const queue = new Queue(WEBHOOK_QUEUE, { connection: redis, prefix: `{${prefixes.get(webhooks)}}` });
  try {
    return await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'completed', 'failed');
  } finally {
    await queue.close();
  }
}
