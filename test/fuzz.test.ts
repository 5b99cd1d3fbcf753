import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, type Harness, startHarness } from './support/app-harness.ts';

// Property-based requests against the HTTP API (app.inject, real Redis, real workers, the
// simulator): whatever arrives, the answer is 2xx or a coded 4xx, no accepted job is lost,
// and the service stays healthy.

const ACME = 'acme-key-0123456789abcdef';
const TEXT = 'The harbour froze in January. Ships waited outside for a week. Then the ice broke.';
const SEED = 20_240_611;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

let harness: Harness;
let app: App;
/** Every id answered 202 by POST /v1/jobs: each must reach a terminal status. */
const accepted: string[] = [];

beforeAll(async () => {
  harness = await startHarness({
    providers: [
      {
        id: 'fuzz-sim',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 1_000_000 }],
        switchyard: { tier: 'free', dataPolicy: 'may-train' },
      },
    ],
    routes: { main: { targets: ['fuzz-sim/m'] } },
    auth: { apiKeys: [{ key: ACME, tenant: 'acme' }] },
    config: {
      webhooks: { secret: 'whsec_c3dpdGNoeWFyZC10ZXN0LXNlY3JldC0wMDAx', allowPrivateNetworks: false },
      // The fuzzer's one tenant sends far more than the default 200 requests a second; the
      // tenant limits have their own tests (tenant-limits.test.ts).
      tenantDefaults: { limits: { requestsPerSecond: 1_000_000 } },
    },
  });
  app = harness.app;
});

afterAll(() => harness?.close());

interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
}

/** Property (1): 2xx, or 4xx with `{ error: { code, message } }`; never 5xx. */
function expectWellFormed(response: Answer, what: string): void {
  const summary = `${what} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
  expect(response.statusCode, summary).toBeGreaterThanOrEqual(200);
  expect(response.statusCode, summary).toBeLessThan(500);
  if (response.statusCode >= 400) {
    let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      parsed = undefined;
    }
    expect(typeof parsed?.error?.code, summary).toBe('string');
    expect(parsed?.error?.code, summary).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(typeof parsed?.error?.message, summary).toBe('string');
  }
}

type Method = 'GET' | 'POST' | 'DELETE';

async function send(
  method: Method,
  url: string,
  payload?: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Answer> {
  const what = `${method} ${url.slice(0, 200)} ${payload === undefined ? '' : String(payload).slice(0, 200)}`;
  let response: Answer;
  try {
    response = await app.inject({
      method,
      url,
      headers: { ...bearer(ACME), ...(payload === undefined ? {} : headers) },
      ...(payload === undefined ? {} : { payload }),
    });
  } catch (error) {
    throw new Error(`dropped connection: ${what}: ${String(error)}`);
  }
  expectWellFormed(response, what);
  return response;
}

// ---- Arbitraries ---------------------------------------------------------------------------

const nest = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? { a: value } : [value];
  return value;
};

const special = fc.constantFrom<unknown>(
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e308',
  '1e309',
  -0,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 1,
  0,
  -1,
  1.5,
  '',
  ' ',
  '\u0000',
  '\uFFFF',
  '\uD800',
  '𝕊𝖜𝖎𝖙𝖈𝖍 🚀 ‮',
  'main',
  'fuzz-sim/m',
  'fuzz-sim/nope',
  'nope/m',
  null,
  true,
  false,
  [],
  {},
  [null],
  { role: 'user', content: 'hi' },
  [{ role: 'user', content: 'hi' }],
);

const huge = fc.constantFrom(1_000_000, 1_000_001, 2_500_000).map((length) => 'a'.repeat(length));
const deep = fc.integer({ min: 1, max: 4_000 }).map(nest);
const unicode = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
);

/** Any value a field could be replaced by. */
const wild: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: special, weight: 4 },
  { arbitrary: unicode, weight: 2 },
  { arbitrary: deep, weight: 1 },
  { arbitrary: huge, weight: 1 },
);

/** Values that are nearly right for the fields that take them, to reach past validation. */
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  deadline: fc.constantFrom(
    '1ms',
    '1s',
    '90s',
    '0s',
    '-1s',
    '1e308s',
    '6h',
    '99999999h',
    '9999-12-31T23:59:59Z',
    '2000-01-01T00:00:00Z',
    '2099-02-30T00:00:00Z',
    'P1D',
    'NaN',
  ),
  callback_url: fc.constantFrom(
    'http://127.0.0.1/x',
    'http://[::1]/x',
    'http://169.254.169.254/latest',
    'http://10.0.0.1/x',
    'http://0.0.0.0/x',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'not a url',
    'http://',
    '',
  ),
  metadata: fc.oneof(
    fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    deep.map((value) => ({ deep: value })),
  ),
  max_tokens: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1, 1_000_000, 1_000_001)),
  temperature: fc.double(),
  top_p: fc.double(),
  stop: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 6 })),
  sensitivity: fc.constantFrom('public', 'internal', 'confidential', 'secret', 'PUBLIC'),
  priority: fc.constantFrom('interactive', 'batch', 'background', 'high', ''),
  messages: fc.array(
    fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool', 'developer'), content: wild }),
    { maxLength: 3 },
  ),
};

const JOB_FIELDS = [
  'route',
  'model',
  'messages',
  'prompt',
  'system',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'sensitivity',
  'deadline',
  'priority',
  'callback_url',
  'metadata',
];

/** A valid body with one field replaced, deleted or added. */
function nearValid(base: Record<string, unknown>, fields: string[]): fc.Arbitrary<Record<string, unknown>> {
  const valueFor = (key: string) =>
    Object.hasOwn(plausible, key) ? fc.oneof(plausible[key] as fc.Arbitrary<unknown>, wild) : wild;
  const replaceOrAdd = fc
    .oneof(fc.constantFrom(...fields, ...Object.keys(base)), fc.string({ maxLength: 20 }))
    .chain((key) => valueFor(key).map((value) => ({ ...base, [key]: value })));
  const drop = fc.constantFrom(...Object.keys(base)).map((key) => {
    const copy = { ...base };
    delete copy[key];
    return copy;
  });
  return fc.oneof({ arbitrary: replaceOrAdd, weight: 5 }, { arbitrary: drop, weight: 1 });
}

/** fc.anything, as JSON text (undefined, functions and the like become an empty body). */
const anythingAsJson = fc
  .anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withTypedArray: true,
    withBoxedValues: true,
  })
  .map((value) => {
    try {
      return (
        JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? inner.toString() : inner)) ?? ''
      );
    } catch {
      return '';
    }
  });

/** Raw JSON texts that a JSON.stringify of a value cannot produce. */
const oddJsonText = fc.constantFrom(
  '',
  ' ',
  'null',
  '{',
  '[]',
  '{"route":"main","prompt":"x","__proto__":{"polluted":1}}',
  '{"route":"main","prompt":"x","constructor":{"prototype":{"polluted":1}}}',
  '{"route":"main","prompt":"x","max_tokens":NaN}',
  '{"route":"main","prompt":"x","max_tokens":Infinity}',
  '{"route":"main","prompt":"x","max_tokens":1e999}',
  '{"route":"main","prompt":"x","max_tokens":-0}',
  '{"route":"main","prompt":"x","route":"main"}',
  '{"route":"main","prompt":"\\ud800"}',
  '\uFEFF{"route":"main","prompt":"x"}',
  `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  `{"route":"main","prompt":"x","metadata":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
);

const jsonText = fc.oneof(
  { arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)), weight: 3 },
  { arbitrary: anythingAsJson, weight: 2 },
  { arbitrary: oddJsonText, weight: 1 },
);

const printable = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength,
  });

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/JSON',
    'application/problem+json',
    'text/plain',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
    'application/octet-stream',
    'application/jsonl',
    '*/*',
    ';',
  ),
  printable(40),
);

const rawBody = fc.oneof(
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
  jsonText.map((text) => Buffer.from(text)),
  jsonText.map((text) => Buffer.from(text, 'utf16le')),
);

const validJob = { route: 'main', prompt: TEXT, max_tokens: 16 };
const validChat = { model: 'main', messages: [{ role: 'user', content: TEXT }], max_tokens: 16 };
const CHAT_FIELDS = [
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'n',
  'stream',
  'stream_options',
  'tools',
  'metadata',
  'sensitivity',
  'deadline',
];
const validLine = (index: number, body: unknown = validChat) => ({
  custom_id: `line-${index}`,
  method: 'POST',
  url: '/v1/chat/completions',
  body,
});
const validBatch = { endpoint: '/v1/chat/completions', completion_window: '24h', requests: [validLine(1)] };

/**
 * Ids the router refuses before any route runs (bad percent-encoding; longer than its
 * maxParamLength of 512): checked one by one below, so the property explores the rest.
 */
const ROUTER_REFUSED_IDS = [
  '%',
  '%zz',
  '%C0%AE',
  '%E0%A4%A',
  'job_%ff',
  '%ED%A0%80',
  'a'.repeat(513),
  'a'.repeat(10_000),
];

/** Path ids: odd ones, and (by index) ids of accepted jobs. */
const pathId = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '..%2f..%2fetc%2fpasswd',
    '%00',
    'job_%00',
    '%F0%9F%9A%80',
    '%20',
    'a'.repeat(128),
    'a'.repeat(129),
    'a'.repeat(512),
    'job_',
    'constructor',
    '__proto__',
  ),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 50 }).map(encodeURIComponent),
  fc.nat().map((index) => ({ accepted: index })),
);
const resolveId = (id: string | { accepted: number }) =>
  typeof id === 'string' ? id : (accepted[id.accepted % Math.max(accepted.length, 1)] ?? 'job_none');

const waitParam = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '0.5',
    '1',
    '-1',
    '-0',
    'NaN',
    'Infinity',
    '1e308',
    '60',
    '61',
    'abc',
    '0x1',
    '1,2',
  ),
  printable(10).map(encodeURIComponent),
);

const settings = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

// ---- Properties ----------------------------------------------------------------------------

describe('fuzzing the HTTP API', () => {
  it('POST /v1/jobs: near-valid bodies are accepted or refused with a coded 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        nearValid(validJob, JOB_FIELDS),
        fc.option(printable(300), { nil: undefined }),
        async (body, idempotencyKey) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
          const response = await send('POST', '/v1/jobs', JSON.stringify(body), headers);
          if (response.statusCode === 202) accepted.push(JSON.parse(response.body).id);
        },
      ),
      settings(300),
    );
  }, 60_000);

  it('POST /v1/jobs: arbitrary JSON, content types and raw bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          jsonText.map((text) => ({ body: Buffer.from(text) as Buffer, type: 'application/json' })),
          fc.record({ body: rawBody, type: contentType }),
        ),
        async ({ body, type }) => {
          const response = await send('POST', '/v1/jobs', body, { 'content-type': type });
          if (response.statusCode === 202) accepted.push(JSON.parse(response.body).id);
        },
      ),
      settings(250),
    );
  }, 60_000);

  it('POST /v1/chat/completions: near-valid and arbitrary bodies', async () => {
    const messageMutation = nearValid({ role: 'user', content: TEXT }, ['role', 'content', 'name']).map(
      (message) => ({ ...validChat, messages: [message] }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: nearValid(validChat, CHAT_FIELDS).map((body) => JSON.stringify(body)), weight: 4 },
          { arbitrary: messageMutation.map((body) => JSON.stringify(body)), weight: 2 },
          { arbitrary: jsonText, weight: 2 },
        ),
        async (body) => {
          await send('POST', '/v1/chat/completions', body);
        },
      ),
      settings(200),
    );
  }, 60_000);

  it('POST /v1/batches: near-valid inline requests and arbitrary bodies', async () => {
    const lineMutation = fc
      .oneof(
        nearValid(validLine(1), ['custom_id', 'method', 'url', 'body']),
        nearValid(validChat, CHAT_FIELDS).map((body) => validLine(1, body)),
        wild,
      )
      .map((line) => ({ ...validBatch, requests: [validLine(0), line] }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: nearValid(validBatch, ['input_file_id', 'metadata', 'route']), weight: 3 },
          { arbitrary: lineMutation, weight: 3 },
          { arbitrary: jsonText.map((text) => ({ raw: text })), weight: 2 },
        ),
        async (body) => {
          const text =
            'raw' in body && Object.keys(body).length === 1 ? String(body.raw) : JSON.stringify(body);
          await send('POST', '/v1/batches', text);
        },
      ),
      settings(150),
    );
  }, 60_000);

  it('GET /v1/jobs/:id?wait= and DELETE /v1/jobs/:id: arbitrary ids and waits', async () => {
    // A few jobs of our own, so that the ids by index reach real jobs too.
    for (let index = 0; index < 3; index++) {
      const response = await send('POST', '/v1/jobs', JSON.stringify(validJob));
      expect(response.statusCode).toBe(202);
      accepted.push(JSON.parse(response.body).id);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>('GET', 'DELETE'),
        pathId,
        fc.option(waitParam, { nil: undefined }),
        async (method, id, wait) => {
          const query = wait === undefined ? '' : `?wait=${wait}`;
          await send(method, `/v1/jobs/${resolveId(id)}${method === 'GET' ? query : ''}`);
        },
      ),
      settings(300),
    );
  }, 60_000);

  it.each(
    ROUTER_REFUSED_IDS.flatMap((id) => {
      const label = id.length > 40 ? `<${id.length} chars>` : id;
      return [
        ['GET', label, id],
        ['DELETE', label, id],
      ];
    }),
  )('%s /v1/jobs/%s (refused by the router) answers a coded 4xx', async (method, _label, id) => {
    await send(method as Method, `/v1/jobs/${id}`);
  });

  it('loses no accepted job: every 202 reaches a terminal status', async () => {
    // How many generated requests were valid jobs is fast-check's draw; some must have been.
    expect(accepted.length).toBeGreaterThan(0);
    const giveUpAt = Date.now() + 25_000;
    const unfinished: { id: string; status: string }[] = [];
    for (const id of new Set(accepted)) {
      let job: { status: string; error?: { code?: unknown; message?: unknown } } | undefined;
      do {
        const response = await send('GET', `/v1/jobs/${id}?wait=10`);
        expect(response.statusCode, id).toBe(200);
        job = JSON.parse(response.body);
      } while (job && !TERMINAL.has(job.status) && Date.now() < giveUpAt);
      if (!job || !TERMINAL.has(job.status)) {
        unfinished.push({ id, status: job?.status ?? 'missing' });
        continue;
      }
      if (job.status === 'failed') {
        expect(typeof job.error?.code, JSON.stringify(job)).toBe('string');
        expect(typeof job.error?.message, JSON.stringify(job)).toBe('string');
      }
    }
    expect(unfinished).toEqual([]);
  }, 60_000);

  it('stays healthy: /healthz is 200 and a plain job still succeeds', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const submitted = await send('POST', '/v1/jobs', JSON.stringify(validJob));
    expect(submitted.statusCode).toBe(202);
    const { id } = JSON.parse(submitted.body);
    const done = JSON.parse((await send('GET', `/v1/jobs/${id}?wait=10`)).body);
    expect(done.status).toBe('succeeded');
    expect(done.result.provider).toBe('fuzz-sim');
  }, 30_000);
});
