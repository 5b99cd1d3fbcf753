import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer as auth, type Harness, startHarness } from './support/app-harness.ts';

// The HTTP API through app.inject, on a real Redis, real workers and the simulator.

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdef';
const TEXT =
  'The harbour froze in January. Ships waited outside for a week. Then the ice broke and trade resumed.';

let harness: Harness;
let app: App;

beforeAll(async () => {
  harness = await startHarness({
    providers: [
      {
        id: 'api-sim',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 4_000 }],
        switchyard: { tier: 'free', dataPolicy: 'may-train' },
      },
    ],
    routes: { main: { targets: ['api-sim/m'] } },
    auth: {
      apiKeys: [
        { key: ACME, tenant: 'acme' },
        { keyHash: `sha256:${createHash('sha256').update(GLOBEX).digest('hex')}`, tenant: 'globex' },
      ],
      adminKeys: [ADMIN],
    },
    config: {
      webhooks: { secret: 'whsec_c3dpdGNoeWFyZC10ZXN0LXNlY3JldC0wMDAx', allowPrivateNetworks: false },
    },
  });
  app = harness.app;
});

afterAll(() => harness?.close());

const job = (extra: Record<string, unknown> = {}) => ({
  route: 'main',
  prompt: TEXT,
  max_tokens: 32,
  ...extra,
});

async function submit(
  key = ACME,
  body: Record<string, unknown> = job(),
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: { ...auth(key), ...headers },
    payload: body,
  });
}

describe('jobs over HTTP', () => {
  it('accepts a job with 202 and returns its result by long-polling', async () => {
    const accepted = await submit();
    expect(accepted.statusCode).toBe(202);
    const { id, status } = accepted.json();
    expect(status).toBe('queued');
    expect(accepted.headers.location).toBe(`/v1/jobs/${id}`);
    const polled = await app.inject({ method: 'GET', url: `/v1/jobs/${id}?wait=10`, headers: auth(ACME) });
    expect(polled.statusCode).toBe(200);
    const done = polled.json();
    expect(done.status).toBe('succeeded');
    expect(done.result.provider).toBe('api-sim');
    expect(TEXT).toContain(done.result.content.split('. ')[0]);
    expect(done.attempts).toHaveLength(1);
    expect(done).not.toHaveProperty('tenant');
  });

  it('gives the same job for the same Idempotency-Key and body, 409 for another body', async () => {
    const headers = { 'idempotency-key': `key-${harness.prefix}` };
    const first = await submit(ACME, job(), headers);
    const again = await submit(ACME, job(), headers);
    expect(first.statusCode).toBe(202);
    expect(again.json().id).toBe(first.json().id);
    const other = await submit(ACME, job({ max_tokens: 16 }), headers);
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('idempotency_key_reused');
    // Another tenant's identical key is its own job.
    const globex = await submit(GLOBEX, job(), headers);
    expect(globex.json().id).not.toBe(first.json().id);
  });

  it('keeps tenants apart: another tenant sees 404', async () => {
    const { id } = (await submit(ACME)).json();
    for (const method of ['GET', 'DELETE'] as const) {
      const response = await app.inject({ method, url: `/v1/jobs/${id}`, headers: auth(GLOBEX) });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
  });

  it('lists providers with limits and queue depth', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/providers', headers: auth(ACME) });
    expect(response.statusCode).toBe(200);
    expect(response.json().data[0]).toMatchObject({
      id: 'api-sim',
      tier: 'free',
      queue: { waiting: expect.any(Number) },
    });
  });

  it('serves the OpenAPI document and docs page generated from the schemas', async () => {
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/jobs', '/v1/jobs/{id}', '/v1/providers']),
    );
    expect(document.paths['/v1/jobs'].post.requestBody).toBeDefined();
    expect((await app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });

  it('protects Bull Board with the admin key and serves it with its assets', async () => {
    expect((await app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/admin/queues', headers: auth(ACME) })).statusCode).toBe(
      401,
    );
    const page = await app.inject({ method: 'GET', url: '/admin/queues', headers: auth(ADMIN) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html');
    const queues = await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: auth(ADMIN) });
    expect(queues.json().queues.map((queue: { name: string }) => queue.name)).toContain('provider.api-sim');
    // Assets are relative to <base href="/admin/queues/">: the main script and style must load.
    const assets = [...page.body.matchAll(/(?:src|href)="(static\/(?:js\/main|css\/main)[^"]+)"/g)].map(
      (match) => new URL(match[1]!, 'http://switchyard/admin/queues/').pathname,
    );
    expect(assets).toHaveLength(2);
    const basic = { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` };
    for (const asset of assets) {
      expect((await app.inject({ method: 'GET', url: asset, headers: basic })).statusCode).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: assets[0]! })).statusCode).toBe(401);
  });
});

describe('bad and hostile requests get coded 4xx answers', () => {
  const big = 'x'.repeat(9 * 1024 * 1024);
  const cases: [
    string,
    {
      method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
      url?: string;
      headers?: Record<string, string>;
      payload?: unknown;
    },
    number,
    string,
  ][] = [
    ['no API key', { headers: {} }, 401, 'unauthorized'],
    ['a wrong API key', { headers: auth('wrong-key-0000000000000') }, 401, 'unauthorized'],
    ['an empty bearer', { headers: { authorization: 'Bearer ' } }, 401, 'unauthorized'],
    ['a wrong x-api-key', { headers: { 'x-api-key': 'nope' } }, 401, 'unauthorized'],
    [
      'basic auth on /v1',
      { headers: { authorization: `Basic ${Buffer.from(`a:${ACME}`).toString('base64')}` } },
      401,
      'unauthorized',
    ],
    ['GET a job without a key', { method: 'GET', url: '/v1/jobs/job_x', headers: {} }, 401, 'unauthorized'],
    ['providers without a key', { method: 'GET', url: '/v1/providers', headers: {} }, 401, 'unauthorized'],
    [
      'invalid JSON',
      { payload: '{"route": "main",', headers: { ...auth(ACME), 'content-type': 'application/json' } },
      400,
      'invalid_json',
    ],
    [
      'an empty JSON body',
      { payload: '', headers: { ...auth(ACME), 'content-type': 'application/json' } },
      400,
      'invalid_json',
    ],
    [
      'null as body',
      { payload: 'null', headers: { ...auth(ACME), 'content-type': 'application/json' } },
      400,
      'invalid_request',
    ],
    ['an array as body', { payload: [job()] }, 400, 'invalid_request'],
    [
      'a string as body',
      { payload: '"summarize this"', headers: { ...auth(ACME), 'content-type': 'application/json' } },
      400,
      'invalid_request',
    ],
    ['neither messages nor prompt', { payload: { route: 'main' } }, 400, 'invalid_request'],
    [
      'both messages and prompt',
      { payload: job({ messages: [{ role: 'user', content: 'x' }] }) },
      400,
      'invalid_request',
    ],
    ['both route and model', { payload: job({ model: 'api-sim/m' }) }, 400, 'invalid_request'],
    ['neither route nor model', { payload: { prompt: TEXT } }, 400, 'invalid_request'],
    ['messages not an array', { payload: { route: 'main', messages: 'hello' } }, 400, 'invalid_request'],
    ['empty messages', { payload: { route: 'main', messages: [] } }, 400, 'invalid_request'],
    [
      'an unknown role',
      { payload: { route: 'main', messages: [{ role: 'robot', content: 'x' }] } },
      400,
      'invalid_request',
    ],
    [
      'content that is a number',
      { payload: { route: 'main', messages: [{ role: 'user', content: 42 }] } },
      400,
      'invalid_request',
    ],
    [
      '1,001 messages',
      { payload: { route: 'main', messages: Array(1_001).fill({ role: 'user', content: 'x' }) } },
      400,
      'invalid_request',
    ],
    ['negative max_tokens', { payload: job({ max_tokens: -1 }) }, 400, 'invalid_request'],
    ['fractional max_tokens', { payload: job({ max_tokens: 1.5 }) }, 400, 'invalid_request'],
    ['absurd max_tokens', { payload: job({ max_tokens: 1e12 }) }, 400, 'invalid_request'],
    ['max_tokens as a string', { payload: job({ max_tokens: '32' }) }, 400, 'invalid_request'],
    ['temperature 5', { payload: job({ temperature: 5 }) }, 400, 'invalid_request'],
    ['five stop sequences', { payload: job({ stop: ['a', 'b', 'c', 'd', 'e'] }) }, 400, 'invalid_request'],
    ['an unknown field', { payload: job({ modle: 'gpt' }) }, 400, 'invalid_request'],
    ['an unknown sensitivity', { payload: job({ sensitivity: 'secret' }) }, 400, 'invalid_request'],
    ['an unknown priority', { payload: job({ priority: 'urgent' }) }, 400, 'invalid_request'],
    ['a deadline that is not a time', { payload: job({ deadline: 'tomorrow' }) }, 400, 'invalid_request'],
    [
      'a deadline in the past',
      { payload: job({ deadline: '2001-01-01T00:00:00Z' }) },
      400,
      'invalid_request',
    ],
    [
      'metadata over 16 KB',
      { payload: job({ metadata: { blob: 'x'.repeat(20_000) } }) },
      400,
      'invalid_request',
    ],
    [
      'a prototype-polluting key',
      { payload: JSON.parse(`{"route":"main","prompt":"x","__proto__":{"admin":true}}`) },
      400,
      'invalid_json',
    ],
    ['an unknown route', { payload: job({ route: 'nowhere' }) }, 404, 'unknown_route'],
    [
      'an unknown provider/model',
      { payload: { model: 'api-sim/gpt-9', prompt: TEXT } },
      404,
      'unknown_model',
    ],
    [
      'a confidential job with no admissible provider',
      { payload: job({ sensitivity: 'confidential' }) },
      422,
      'no_eligible_target',
    ],
    [
      'a prompt larger than every context window',
      { payload: job({ prompt: 'word '.repeat(20_000) }) },
      422,
      'no_eligible_target',
    ],
    [
      'a 9 MB body',
      {
        payload: JSON.stringify(job({ prompt: big })),
        headers: { ...auth(ACME), 'content-type': 'application/json' },
      },
      413,
      'body_too_large',
    ],
    [
      'text/plain',
      { payload: 'summarize', headers: { ...auth(ACME), 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a loopback callback URL',
      { payload: job({ callback_url: 'http://127.0.0.1:9/hook' }) },
      422,
      'private_callback_url',
    ],
    [
      'a localhost callback URL',
      { payload: job({ callback_url: 'http://localhost/hook' }) },
      422,
      'private_callback_url',
    ],
    [
      'a private-network callback URL',
      { payload: job({ callback_url: 'http://10.1.2.3/hook' }) },
      422,
      'private_callback_url',
    ],
    [
      'the cloud metadata address',
      { payload: job({ callback_url: 'http://169.254.169.254/latest' }) },
      422,
      'private_callback_url',
    ],
    [
      'an IPv6 loopback callback',
      { payload: job({ callback_url: 'http://[::1]/hook' }) },
      422,
      'private_callback_url',
    ],
    [
      'an ftp callback URL',
      { payload: job({ callback_url: 'ftp://example.com/x' }) },
      400,
      'invalid_callback_url',
    ],
    [
      'a callback that is not a URL',
      { payload: job({ callback_url: 'not a url' }) },
      400,
      'invalid_callback_url',
    ],
    ['a job that does not exist', { method: 'GET', url: '/v1/jobs/job_nope' }, 404, 'not_found'],
    ['a wait over 60 s', { method: 'GET', url: '/v1/jobs/job_nope?wait=1000' }, 400, 'invalid_request'],
    ['a route that does not exist', { method: 'GET', url: '/v1/nothing' }, 404, 'not_found'],
    ['PUT on jobs', { method: 'PUT', url: '/v1/jobs' }, 404, 'not_found'],
    [
      'a job id of 300 characters',
      { method: 'GET', url: `/v1/jobs/${'a'.repeat(300)}` },
      400,
      'invalid_request',
    ],
  ];

  it.each(cases)('%s', async (_name, request, status, code) => {
    const response = await app.inject({
      method: request.method ?? 'POST',
      url: request.url ?? '/v1/jobs',
      headers: request.headers ?? auth(ACME),
      ...(request.payload === undefined ? {} : { payload: request.payload as string }),
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
    // Each case words its own message; a caller must get one.
    expect(response.json().error.message.length).toBeGreaterThan(0);
  });

  const line = (index: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      custom_id: `line-${index}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'main', messages: [{ role: 'user', content: TEXT }], ...extra },
    });
  async function upload(key: string, content: string, purpose = 'batch') {
    const boundary = 'switchyardboundary';
    const payload = [
      `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n${purpose}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="input.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n${content}\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    return app.inject({
      method: 'POST',
      url: '/v1/files',
      headers: { ...auth(key), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
  }
  const batchBody = (extra: Record<string, unknown>) => ({
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
    ...extra,
  });

  it('refuses bad files and batches, and keeps tenants apart on both', async () => {
    const bad = await upload(ACME, `${line(1)}\n{"custom_id": "x"\n${line(1)}\n`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_file');
    expect(bad.json().error.details.map((problem: { line: number }) => problem.line)).toEqual([2, 3]);
    expect((await upload(ACME, line(1), 'fine-tune')).json().error.code).toBe('invalid_request');

    const good = await upload(ACME, `${line(1)}\n${line(2)}\n`);
    expect(good.statusCode).toBe(200);
    const fileId = good.json().id;
    type Call = { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; payload?: object };
    const refusals: [string, Call, number, string][] = [
      [
        'another tenant reads the file',
        { method: 'GET', url: `/v1/files/${fileId}`, headers: auth(GLOBEX) },
        404,
        'not_found',
      ],
      [
        'another tenant reads its content',
        { method: 'GET', url: `/v1/files/${fileId}/content`, headers: auth(GLOBEX) },
        404,
        'not_found',
      ],
      [
        'another tenant batches the file',
        {
          method: 'POST',
          url: '/v1/batches',
          headers: auth(GLOBEX),
          payload: batchBody({ input_file_id: fileId }),
        },
        404,
        'file_not_found',
      ],
      [
        'a batch of an unknown file',
        {
          method: 'POST',
          url: '/v1/batches',
          headers: auth(ACME),
          payload: batchBody({ input_file_id: 'file-nope' }),
        },
        404,
        'file_not_found',
      ],
      [
        'a batch with both a file and requests',
        {
          method: 'POST',
          url: '/v1/batches',
          headers: auth(ACME),
          payload: batchBody({ input_file_id: fileId, requests: [JSON.parse(line(1))] }),
        },
        400,
        'invalid_request',
      ],
      [
        'a batch for another endpoint',
        {
          method: 'POST',
          url: '/v1/batches',
          headers: auth(ACME),
          payload: batchBody({ input_file_id: fileId, endpoint: '/v1/embeddings' }),
        },
        400,
        'invalid_request',
      ],
      [
        'a batch window other than 24h',
        {
          method: 'POST',
          url: '/v1/batches',
          headers: auth(ACME),
          payload: batchBody({ input_file_id: fileId, completion_window: '1h' }),
        },
        400,
        'invalid_request',
      ],
      [
        'inline requests with a bad line',
        {
          method: 'POST',
          url: '/v1/batches',
          headers: auth(ACME),
          payload: batchBody({ requests: [JSON.parse(line(1)), { custom_id: 'x' }] }),
        },
        400,
        'invalid_file',
      ],
      [
        '50,001 inline requests',
        {
          method: 'POST',
          url: '/v1/batches',
          headers: auth(ACME),
          payload: batchBody({ requests: Array(50_001).fill(0) }),
        },
        400,
        'invalid_request',
      ],
      [
        'a batch with a private callback',
        {
          method: 'POST',
          url: '/v1/batches',
          headers: auth(ACME),
          payload: batchBody({ input_file_id: fileId, callback_url: 'http://192.168.1.1/x' }),
        },
        422,
        'private_callback_url',
      ],
      [
        'a batch that does not exist',
        { method: 'GET', url: '/v1/batches/batch_nope', headers: auth(ACME) },
        404,
        'not_found',
      ],
      ['a file upload without a key', { method: 'POST', url: '/v1/files', headers: {} }, 401, 'unauthorized'],
      [
        'a file upload as JSON',
        { method: 'POST', url: '/v1/files', headers: auth(ACME), payload: { purpose: 'batch' } },
        415,
        'unsupported_media_type',
      ],
    ];
    for (const [name, request, status, code] of refusals) {
      const response = await app.inject(request as Call & { payload?: string });
      expect({ name, status: response.statusCode, code: response.json().error?.code }).toEqual({
        name,
        status,
        code,
      });
    }

    const batch = await app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth(ACME),
      payload: batchBody({ input_file_id: fileId }),
    });
    expect(batch.statusCode).toBe(200);
    const batchId = batch.json().id;
    for (const [method, url] of [
      ['GET', `/v1/batches/${batchId}`],
      ['POST', `/v1/batches/${batchId}/cancel`],
    ] as const) {
      const response = await app.inject({ method, url, headers: auth(GLOBEX) });
      expect(response.statusCode).toBe(404);
    }
    expect(
      (await app.inject({ method: 'GET', url: '/v1/batches', headers: auth(GLOBEX) })).json().data,
    ).toEqual([]);
  });

  it('names the field at fault', async () => {
    const response = await submit(ACME, { route: 'main', messages: [{ role: 'user', content: 1 }] });
    expect(response.json().error.details).toContainEqual(
      expect.objectContaining({ field: 'messages[0].content' }),
    );
  });

  it('answers 409 when cancelling a finished job', async () => {
    const { id } = (await submit()).json();
    await app.inject({ method: 'GET', url: `/v1/jobs/${id}?wait=10`, headers: auth(ACME) });
    const response = await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth(ACME) });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('job_finished');
  });

  it('stays healthy afterwards and still runs jobs', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const { id } = (await submit()).json();
    const done = await app.inject({ method: 'GET', url: `/v1/jobs/${id}?wait=10`, headers: auth(ACME) });
    expect(done.json().status).toBe('succeeded');
  });
});
