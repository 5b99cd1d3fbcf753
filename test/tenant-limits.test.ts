import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer as auth, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// Per-tenant limits through the HTTP API, on the real Redis: requests per second, queued jobs
// (batch lines included), stored bytes and open streams. One tenant at its limits never
// affects another.

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
const INITECH = 'initech-key-0123456789abcdef';
const TEXT = 'The harbour froze in January. Ships waited outside for a week.';

const job = { route: 'main', prompt: TEXT, max_tokens: 16 };
const line = (index: number) =>
  JSON.stringify({
    custom_id: `line-${index}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'main', messages: [{ role: 'user', content: TEXT }] },
  });

const provider = {
  id: 'limits-sim',
  format: 'openai' as const,
  models: [{ name: 'm', contextWindow: 4_000 }],
  switchyard: { tier: 'free' },
};

async function upload(app: App, key: string, content: string, purposeFirst = true) {
  const boundary = 'switchyardboundary';
  const purpose = `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`;
  const file = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="input.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n${content}\r\n`;
  return app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...auth(key), 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: (purposeFirst ? [purpose, file] : [file, purpose]).join('') + `--${boundary}--\r\n`,
  });
}

const limitsOf = async (app: App, key: string) =>
  (await app.inject({ method: 'GET', url: '/v1/usage', headers: auth(key) })).json().limits;

describe('tenant limits without workers (jobs stay queued)', () => {
  let harness: Harness;
  let app: App;

  beforeAll(async () => {
    harness = await startHarness({
      providers: [provider],
      routes: { main: { targets: ['limits-sim/m'] } },
      auth: {
        apiKeys: [
          { key: ACME, tenant: 'acme' },
          { key: GLOBEX, tenant: 'globex' },
          { key: INITECH, tenant: 'initech' },
        ],
      },
      config: {
        tenantDefaults: { limits: { queuedJobs: 3, storage: '6KB', streams: 1, requestsPerSecond: 1000 } },
        tenants: { initech: { limits: { requestsPerSecond: 5 } } },
      },
      workers: false,
    });
    app = harness.app;
  });

  afterAll(() => harness?.close());

  it('answers 429 rate_limited with Retry-After past requestsPerSecond, for that tenant only', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        app.inject({ method: 'GET', url: '/v1/models', headers: auth(INITECH) }),
      ),
    );
    const limited = answers.filter((answer) => answer.statusCode === 429);
    // A full bucket holds one second's worth (5): the other 7 are refused.
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(5);
    expect(limited).toHaveLength(7);
    expect(limited[0]!.json().error.code).toBe('rate_limited');
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited[0]!.headers['retry-after-ms'])).toBeGreaterThan(0);
    // Another tenant is not slowed down by it.
    const other = await app.inject({ method: 'GET', url: '/v1/models', headers: auth(ACME) });
    expect(other.statusCode).toBe(200);
    // Tokens come back: a wait of retry-after-ms later the tenant is served again.
    await until(
      async () =>
        (await app.inject({ method: 'GET', url: '/v1/models', headers: auth(INITECH) })).statusCode === 200,
      { message: 'initech to be served again', timeoutMs: 2_000 },
    );
  });

  it('refuses a job past queuedJobs with 429 queue_full, and counts a cancelled job out', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const answer = await app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(ACME), payload: job });
      expect(answer.statusCode).toBe(202);
      ids.push(answer.json().id);
    }
    const refused = await app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(ACME), payload: job });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'queue_full', details: { used: 3, limit: 3 } });
    expect((await limitsOf(app, ACME)).queued_jobs).toEqual({ used: 3, limit: 3 });
    // Another tenant has its own count.
    const globex = await app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(GLOBEX), payload: job });
    expect(globex.statusCode).toBe(202);

    // An Idempotency-Key resubmission of a counted job is not counted twice.
    const cancelled = await app.inject({ method: 'DELETE', url: `/v1/jobs/${ids[0]}`, headers: auth(ACME) });
    expect(cancelled.json().status).toBe('cancelled');
    expect((await limitsOf(app, ACME)).queued_jobs.used).toBe(2);
    const keyed = { ...auth(ACME), 'idempotency-key': 'limits-once' };
    const first = await app.inject({ method: 'POST', url: '/v1/jobs', headers: keyed, payload: job });
    const again = await app.inject({ method: 'POST', url: '/v1/jobs', headers: keyed, payload: job });
    expect(first.statusCode).toBe(202);
    expect(again.json().id).toBe(first.json().id);
    expect((await limitsOf(app, ACME)).queued_jobs.used).toBe(3);

    // A batch whose lines do not all fit is refused before anything is stored.
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth(ACME),
      payload: {
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        requests: [0, 1].map((index) => JSON.parse(line(index))),
      },
    });
    expect(batch.statusCode).toBe(429);
    expect(batch.json().error.code).toBe('queue_full');
    for (const id of ids.slice(1))
      await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth(ACME) });
    await app.inject({ method: 'DELETE', url: `/v1/jobs/${first.json().id}`, headers: auth(ACME) });
    expect((await limitsOf(app, ACME)).queued_jobs.used).toBe(0);
  });

  it('refuses an upload past the storage limit with 413 storage_exhausted, storing nothing', async () => {
    // 6 KB for acme, which holds the payloads of its cancelled jobs (a few hundred bytes).
    const content = Array.from({ length: 12 }, (_, index) => line(index)).join('\n');
    const first = await upload(app, GLOBEX, content);
    expect(first.statusCode).toBe(200);
    const before = await limitsOf(app, GLOBEX);
    expect(before.storage_bytes.used).toBeGreaterThanOrEqual(first.json().bytes);
    expect(before.storage_bytes.limit).toBe(6 * 1024);
    const second = await upload(app, GLOBEX, `${content}\n${content}`);
    expect(second.statusCode).toBe(413);
    expect(second.json().error.code).toBe('storage_exhausted');
    const list = (await app.inject({ method: 'GET', url: '/v1/files', headers: auth(GLOBEX) })).json();
    expect(list.data.map((file: { id: string }) => file.id)).toEqual([first.json().id]);
    expect((await limitsOf(app, GLOBEX)).storage_bytes.used).toBe(before.storage_bytes.used);
  });

  it('holds one stream per slot: 429 too_many_streams while the slot is taken, no job submitted', async () => {
    const close = await harness.services.broker.tenantLimits.openStream('acme');
    expect((await limitsOf(app, ACME)).streams).toEqual({ used: 1, limit: 1 });
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth(ACME),
      payload: { model: 'main', stream: true, messages: [{ role: 'user', content: TEXT }] },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('too_many_streams');
    expect((await limitsOf(app, ACME)).queued_jobs.used).toBe(0);
    await close();
    expect((await limitsOf(app, ACME)).streams.used).toBe(0);
  });
});

describe('tenant limits with workers', () => {
  let harness: Harness;
  let app: App;

  beforeAll(async () => {
    harness = await startHarness({
      providers: [provider],
      routes: { main: { targets: ['limits-sim/m'] } },
      auth: { apiKeys: [{ key: ACME, tenant: 'acme' }] },
      config: { results: { retention: '2s' }, tenants: { acme: { limits: { streams: 1 } } } },
    });
    app = harness.app;
  });

  afterAll(() => harness?.close());

  it('releases a finished job from queuedJobs, counts its result, and forgets both once expired', async () => {
    const submitted = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(ACME),
      payload: job,
    });
    const id = submitted.json().id;
    const done = await app.inject({ method: 'GET', url: `/v1/jobs/${id}?wait=10`, headers: auth(ACME) });
    expect(done.json().status).toBe('succeeded');
    const limits = await limitsOf(app, ACME);
    expect(limits.queued_jobs.used).toBe(0);
    const stored = await harness.services.broker.get(id);
    const payload = Buffer.byteLength(JSON.stringify(stored!.request));
    // The payload and the result, both held until the job's record expires.
    expect(limits.storage_bytes.used).toBeGreaterThan(payload);
    await until(async () => (await limitsOf(app, ACME)).storage_bytes.used === 0, {
      message: 'the expired job to stop counting',
      timeoutMs: 5_000,
    });
  });

  it('frees the stream slot when a streaming response ends', async () => {
    const body = { model: 'main', stream: true, messages: [{ role: 'user', content: TEXT }] };
    for (let round = 0; round < 2; round++) {
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: auth(ACME),
        payload: body,
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toContain('[DONE]');
      await until(async () => (await limitsOf(app, ACME)).streams.used === 0, {
        message: 'the slot to be free',
      });
    }
  });
});
