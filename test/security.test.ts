import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../apps/switchyard/src/observability/create-logger.ts';
import { type App, bearer as auth, basic, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// Security properties of the HTTP API: authentication on every route (enumerated from the
// route table), tenant isolation, Bull Board protection, secrets kept out of logs and
// responses, and the callback URL SSRF guard.

// Every route the app registers, from buildApp's onRoute option (the real route table).
const seen = { routes: [] as { method: string; url: string }[] };
const recordRoute = (route: { method: string; url: string }) => seen.routes.push(route);

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdef';
const TEXT =
  'The harbour froze in January. Ships waited outside for a week. Then the ice broke and trade resumed.';

const job = (extra: Record<string, unknown> = {}) => ({
  route: 'main',
  prompt: TEXT,
  max_tokens: 32,
  ...extra,
});
const line = (index: number) =>
  JSON.stringify({
    custom_id: `line-${index}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'main', messages: [{ role: 'user', content: TEXT }] },
  });
const batchBody = (extra: Record<string, unknown>) => ({
  endpoint: '/v1/chat/completions',
  completion_window: '24h',
  ...extra,
});

async function upload(app: App, key: string, content: string) {
  const boundary = 'switchyardboundary';
  const payload = [
    `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`,
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

/** Public routes: anything else must ask for credentials. Keep this list short and deliberate. */
const PUBLIC = [/^\/healthz$/, /^\/readyz$/, /^\/docs($|\/)/, /^\/openapi\.json$/];
const isPublic = (url: string) => PUBLIC.some((pattern) => pattern.test(url));
const isAdmin = (url: string) =>
  url === '/metrics' ||
  url === '/admin/queues' ||
  url.startsWith('/admin/queues/') ||
  /^\/v1\/providers\/[^/]+\/exhausted$/.test(url);

/** A concrete URL for a route pattern: params and wildcards get dummy values. */
const fill = (url: string) =>
  url
    .replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, 'dummy_0123')
    .replace(/\*/g, 'dummy/asset.js')
    .replace(/\/\/+/g, '/');

describe('the main API (webhooks without private networks)', () => {
  let harness: Harness;
  let app: App;

  beforeAll(async () => {
    seen.routes.length = 0;
    harness = await startHarness({
      providers: [
        {
          id: 'sec-sim',
          format: 'openai',
          models: [{ name: 'm', contextWindow: 4_000 }],
          switchyard: { tier: 'free', dataPolicy: 'may-train' },
        },
      ],
      routes: { main: { targets: ['sec-sim/m'] } },
      auth: {
        apiKeys: [
          { key: ACME, tenant: 'acme' },
          { key: GLOBEX, tenant: 'globex' },
        ],
        adminKeys: [ADMIN],
      },
      config: {
        webhooks: { secret: 'whsec_c3dpdGNoeWFyZC10ZXN0LXNlY3JldC0wMDAx', allowPrivateNetworks: false },
      },
      app: { onRoute: recordRoute },
    });
    app = harness.app;
  });

  afterAll(() => harness?.close());

  describe('authentication on every route', () => {
    const routes = () => {
      const unique = new Map(seen.routes.map((route) => [`${route.method} ${route.url}`, route]));
      return [...unique.values()];
    };

    it('sees the whole route table, with a small public allow-list', () => {
      const all = routes();
      expect(all.length).toBeGreaterThan(15);
      for (const [method, url] of [
        ['POST', '/v1/jobs'],
        ['GET', '/v1/jobs/:id'],
        ['DELETE', '/v1/jobs/:id'],
        ['POST', '/v1/files'],
        ['GET', '/v1/batches/:id'],
        ['GET', '/metrics'],
        ['GET', '/admin/queues'],
        ['GET', '/healthz'],
      ]) {
        expect(all).toContainEqual({ method, url });
      }
      for (const route of all) expect(app.hasRoute(route as Parameters<App['hasRoute']>[0])).toBe(true);
      const publicUrls = [...new Set(all.filter((route) => isPublic(route.url)).map((route) => route.url))];
      // /healthz, /readyz, /openapi.json and the docs pages and assets: a new public route is deliberate.
      expect(publicUrls.filter((url) => !url.startsWith('/docs'))).toEqual(
        expect.arrayContaining(['/healthz', '/readyz', '/openapi.json']),
      );
      expect(publicUrls.filter((url) => !url.startsWith('/docs'))).toHaveLength(3);
      expect(publicUrls.length).toBeLessThanOrEqual(12);
      // Every route is public, /v1, or admin: nothing falls between.
      const unclassified = all.filter(
        (route) => !isPublic(route.url) && !isAdmin(route.url) && !route.url.startsWith('/v1/'),
      );
      expect(unclassified).toEqual([]);
    });

    it('answers 401 without credentials on every non-public route, and refuses tenant keys on admin routes', async () => {
      const failures: unknown[] = [];
      let checked = 0;
      for (const route of routes()) {
        if (isPublic(route.url)) continue;
        const url = fill(route.url);
        const method = route.method as 'GET';
        const head = route.method === 'HEAD';
        const attempts: [string, Record<string, string>][] = [
          ['no credentials', {}],
          ['a wrong key', auth('wrong-key-0000000000000000')],
        ];
        if (isAdmin(route.url)) {
          attempts.push(['a tenant key', auth(ACME)], ['a tenant key as basic auth', basic('admin', ACME)]);
        }
        for (const [what, headers] of attempts) {
          const response = await app.inject({ method, url, headers });
          checked += 1;
          const problem = { route: `${route.method} ${route.url}`, url, what, status: response.statusCode };
          if (response.statusCode !== 401) {
            failures.push(problem);
            continue;
          }
          if (isAdmin(route.url)) {
            // The admin check, not the tenant one.
            if (response.headers['www-authenticate'] !== 'Basic realm="switchyard-admin"')
              failures.push(problem);
          } else if (response.headers['www-authenticate'] !== 'Bearer') {
            failures.push(problem);
          }
          if (!head && response.json().error?.code !== 'unauthorized')
            failures.push({ ...problem, body: response.body });
        }
      }
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(30);
    });

    it('still serves the public routes without credentials', async () => {
      for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs/']) {
        expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
      }
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 to tenant B on every read/cancel route of tenant A's ids, and B's listings show nothing of A", async () => {
      const submitted = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: auth(ACME),
        payload: job(),
      });
      expect(submitted.statusCode).toBe(202);
      const jobId: string = submitted.json().id;
      const done = await app.inject({ method: 'GET', url: `/v1/jobs/${jobId}?wait=10`, headers: auth(ACME) });
      expect(done.json().status).toBe('succeeded');
      const file = await upload(app, ACME, `${line(1)}\n${line(2)}\n`);
      expect(file.statusCode).toBe(200);
      const fileId: string = file.json().id;
      const batch = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: auth(ACME),
        payload: batchBody({ input_file_id: fileId }),
      });
      expect(batch.statusCode).toBe(200);
      const batchId: string = batch.json().id;

      // Every /v1 route with an id parameter, from the route table, gets A's id of its kind.
      const idFor = (url: string) =>
        url.startsWith('/v1/jobs/')
          ? jobId
          : url.startsWith('/v1/files/')
            ? fileId
            : url.startsWith('/v1/batches/')
              ? batchId
              : undefined;
      const withIds = [
        ...new Map(
          seen.routes
            .filter(
              (route) =>
                route.url.startsWith('/v1/') &&
                route.url.includes(':') &&
                route.method !== 'HEAD' &&
                // Admin routes name configured providers, not a tenant's resources.
                !isAdmin(route.url),
            )
            .map((route) => [`${route.method} ${route.url}`, route]),
        ).values(),
      ];
      expect(withIds.length).toBeGreaterThanOrEqual(6);
      const leaks: unknown[] = [];
      for (const route of withIds) {
        const id = idFor(route.url);
        if (!id) {
          leaks.push({ route, problem: 'no id of this kind: extend the test' });
          continue;
        }
        const url = route.url.replace(/:[A-Za-z0-9_]+/, id);
        const response = await app.inject({ method: route.method as 'GET', url, headers: auth(GLOBEX) });
        if (response.statusCode !== 404 || response.json().error?.code !== 'not_found') {
          leaks.push({ route: `${route.method} ${url}`, status: response.statusCode, body: response.body });
        }
        for (const secret of [jobId, fileId, batchId].filter((other) => other !== id)) {
          if (response.body.includes(secret)) leaks.push({ route: url, leaked: secret });
        }
      }
      expect(leaks).toEqual([]);

      // B's attempts changed nothing of A's.
      const batchAfter = await app.inject({
        method: 'GET',
        url: `/v1/batches/${batchId}`,
        headers: auth(ACME),
      });
      expect(batchAfter.statusCode).toBe(200);
      expect(batchAfter.json().status).not.toMatch(/cancel/);
      expect(
        (await app.inject({ method: 'GET', url: `/v1/files/${fileId}`, headers: auth(ACME) })).statusCode,
      ).toBe(200);

      // Listings.
      const files = await app.inject({ method: 'GET', url: '/v1/files', headers: auth(GLOBEX) });
      expect(files.statusCode).toBe(200);
      expect(files.json().data).toEqual([]);
      const batches = await app.inject({ method: 'GET', url: '/v1/batches', headers: auth(GLOBEX) });
      expect(batches.statusCode).toBe(200);
      expect(batches.json().data).toEqual([]);
      for (const groupBy of ['provider', 'route', 'day']) {
        const usage = await app.inject({
          method: 'GET',
          url: `/v1/usage?group_by=${groupBy}`,
          headers: auth(GLOBEX),
        });
        expect(usage.statusCode).toBe(200);
        expect(usage.json().total).toMatchObject({
          requests: 0,
          input_tokens: 0,
          output_tokens: 0,
          cost_usd: 0,
        });
        expect(usage.json().data).toEqual([]);
        expect(usage.body).not.toContain('acme');
      }
      // A's own listings do show its things (the listings are not simply empty).
      expect((await app.inject({ method: 'GET', url: '/v1/files', headers: auth(ACME) })).body).toContain(
        fileId,
      );
      expect((await app.inject({ method: 'GET', url: '/v1/batches', headers: auth(ACME) })).body).toContain(
        batchId,
      );
      // The job's call and the batch's two lines, which run in the background.
      const acmeRequests = async () =>
        (await app.inject({ method: 'GET', url: '/v1/usage', headers: auth(ACME) })).json().total.requests;
      await until(async () => (await acmeRequests()) === 3, { message: "acme's three calls in its usage" });
    });
  });

  describe('Bull Board', () => {
    it('refuses no key, a tenant key and a wrong basic-auth password on the page, its API and assets', async () => {
      const page = await app.inject({ method: 'GET', url: '/admin/queues', headers: auth(ADMIN) });
      expect(page.statusCode).toBe(200);
      const asset = [...page.body.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map(
        (match) => new URL(match[1]!, 'http://switchyard/admin/queues/').pathname,
      )[0];
      expect(asset).toBeDefined();
      const urls = ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', asset!];
      const refused: [string, Record<string, string>][] = [
        ['no key', {}],
        ['a tenant bearer key', auth(ACME)],
        ['a tenant x-api-key', { 'x-api-key': GLOBEX }],
        ['a tenant key as basic auth', basic('admin', ACME)],
        ['a wrong basic-auth password', basic('admin', `${ADMIN}x`)],
        ['an empty basic-auth password', basic('admin', '')],
      ];
      for (const url of urls) {
        for (const [what, headers] of refused) {
          const response = await app.inject({ method: 'GET', url, headers });
          expect({ url, what, status: response.statusCode }).toEqual({ url, what, status: 401 });
          expect(response.body).not.toContain('provider.sec-sim');
        }
        for (const headers of [auth(ADMIN), basic('admin', ADMIN), { 'x-api-key': ADMIN }]) {
          const response = await app.inject({ method: 'GET', url, headers });
          expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
        }
      }
      const queues = await app.inject({
        method: 'GET',
        url: '/admin/queues/api/queues',
        headers: auth(ADMIN),
      });
      expect(queues.json().queues.map((queue: { name: string }) => queue.name)).toContain('provider.sec-sim');
    });
  });

  describe('the callback URL SSRF guard', () => {
    const hostile = [
      'http://127.0.0.1/hook',
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0x7f.1/hook',
    ];

    it.each(hostile)('refuses %s with 422 private_callback_url on jobs and batches', async (callbackUrl) => {
      const onJob = await app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: auth(ACME),
        payload: job({ callback_url: callbackUrl }),
      });
      expect(onJob.statusCode).toBe(422);
      expect(onJob.json().error.code).toBe('private_callback_url');
      const onBatch = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: auth(ACME),
        payload: batchBody({ requests: [JSON.parse(line(1))], callback_url: callbackUrl }),
      });
      expect(onBatch.statusCode).toBe(422);
      expect(onBatch.json().error.code).toBe('private_callback_url');
    });
  });
});

describe('secrets stay out of logs and responses', () => {
  const PROVIDER_KEY = 'sk-provider-SECRET-7f3a9c21e4b8d605';
  const WRONG_PROVIDER_KEY = 'sk-wrongprov-SECRET-1c9e5d7a3b2f8e64';
  const SIM_EXPECTS = 'sk-simexpects-SECRET-5a2b8c4d6e1f3a97';
  const TENANT_KEY = 'tenant-SECRET-key-9d8c7b6a5f4e3d2c';
  const ADMIN_KEY = 'admin-SECRET-key-2b4d6f8a0c1e3a5b';
  const WEBHOOK_RAW = 'switchyard-webhook-SECRET-4242';
  const WEBHOOK_SECRET = `whsec_${Buffer.from(WEBHOOK_RAW).toString('base64')}`;
  const secrets = [
    PROVIDER_KEY,
    WRONG_PROVIDER_KEY,
    SIM_EXPECTS,
    TENANT_KEY,
    ADMIN_KEY,
    WEBHOOK_SECRET,
    WEBHOOK_SECRET.slice('whsec_'.length),
    WEBHOOK_RAW,
    Buffer.from(WEBHOOK_SECRET).toString('base64'),
  ];

  let harness: Harness;
  let app: App;
  let receiver: Server;
  const received: { body: string; headers: string }[] = [];
  const logLines: string[] = [];
  const bodies: string[] = [];

  type Call = {
    method: 'GET' | 'POST' | 'DELETE';
    url: string;
    headers?: Record<string, string>;
    payload?: object | string;
  };
  const call = async (request: Call) => {
    const response = await app.inject(request as Call & { payload?: string });
    bodies.push(response.body, JSON.stringify(response.headers));
    return response;
  };

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ body, headers: JSON.stringify(request.headers) });
        response.writeHead(200).end('ok');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const logger = createLogger({
      write: (text: string) => {
        logLines.push(text);
      },
    });
    logger.level = 'trace';
    const models = [{ name: 'm', contextWindow: 4_000 }];
    const provider = { tier: 'free', dataPolicy: 'may-train' };
    harness = await startHarness({
      providers: [
        {
          id: 'good-sim',
          format: 'openai',
          models,
          simulator: { apiKey: PROVIDER_KEY },
          switchyard: { ...provider, apiKey: PROVIDER_KEY },
        },
        {
          id: 'bad-sim',
          format: 'openai',
          models,
          simulator: { apiKey: SIM_EXPECTS },
          switchyard: { ...provider, apiKey: WRONG_PROVIDER_KEY },
        },
      ],
      routes: { main: { targets: ['good-sim/m'] }, broken: { targets: ['bad-sim/m'] } },
      auth: { apiKeys: [{ key: TENANT_KEY, tenant: 'acme' }], adminKeys: [ADMIN_KEY] },
      config: { webhooks: { secret: WEBHOOK_SECRET, allowPrivateNetworks: true } },
      services: { logger },
      app: { logger },
    });
    app = harness.app;
  });

  afterAll(async () => {
    await harness?.close();
    receiver?.close();
  });

  it('never logs or returns a configured secret', async () => {
    // A job that succeeds, with a webhook to the local receiver.
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const good = await call({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(TENANT_KEY),
      payload: job({ callback_url: hook }),
    });
    expect(good.statusCode).toBe(202);
    const goodDone = await call({
      method: 'GET',
      url: `/v1/jobs/${good.json().id}?wait=10`,
      headers: auth(TENANT_KEY),
    });
    expect(goodDone.json().status).toBe('succeeded');

    // A job the provider refuses: the configured key is not the one it expects.
    const bad = await call({
      method: 'POST',
      url: '/v1/jobs',
      headers: { 'x-api-key': TENANT_KEY },
      payload: job({ route: 'broken' }),
    });
    expect(bad.statusCode).toBe(202);
    const badDone = await call({
      method: 'GET',
      url: `/v1/jobs/${bad.json().id}?wait=10`,
      headers: auth(TENANT_KEY),
    });
    expect(badDone.json().status).toBe('failed');
    expect(badDone.body).toContain('authentication_failed');

    // An OpenAI-style synchronous call, and admin reads.
    await call({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: auth(TENANT_KEY),
      payload: { model: 'main', messages: [{ role: 'user', content: TEXT }], max_tokens: 16 },
    });
    await call({ method: 'GET', url: '/v1/providers', headers: auth(TENANT_KEY) });
    await call({ method: 'GET', url: '/v1/models', headers: auth(TENANT_KEY) });
    await call({ method: 'GET', url: '/v1/usage', headers: auth(TENANT_KEY) });
    await call({ method: 'GET', url: '/metrics', headers: auth(ADMIN_KEY) });
    await call({ method: 'GET', url: '/admin/queues/api/queues', headers: basic('admin', ADMIN_KEY) });
    await call({ method: 'GET', url: '/openapi.json' });

    // Bad requests with wrong (but secret-looking) keys.
    for (const headers of [
      auth(`${TENANT_KEY}x`),
      { 'x-api-key': ADMIN_KEY },
      auth(PROVIDER_KEY),
      basic('admin', TENANT_KEY),
      basic('admin', `${ADMIN_KEY}x`),
      { authorization: WEBHOOK_SECRET },
    ]) {
      await call({ method: 'POST', url: '/v1/jobs', headers, payload: job() });
      await call({ method: 'GET', url: '/admin/queues', headers });
      await call({ method: 'GET', url: '/metrics', headers });
    }
    await call({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(TENANT_KEY), 'content-type': 'application/json' },
      payload: '{"route": "main",',
    });

    // The webhook arrives (signed with the secret, which itself is never sent).
    await until(() => received.length > 0, { timeoutMs: 10_000, message: 'the webhook delivery' });
    expect(received).toHaveLength(1);
    expect(received[0]!.headers).toContain('webhook-signature');

    // The capture works: request lines and the failed attempt are in it.
    expect(logLines.join('')).toContain('authentication_failed');
    expect(logLines.join('')).toContain('/v1/jobs');
    const logText = logLines.join('');
    const responseText = bodies.join('\n');
    const webhookText = received.map((delivery) => delivery.body + delivery.headers).join('\n');
    const found = secrets.flatMap((secret) => [
      ...(logText.includes(secret) ? [{ secret, in: 'logs' }] : []),
      ...(responseText.includes(secret) ? [{ secret, in: 'responses' }] : []),
      ...(webhookText.includes(secret) ? [{ secret, in: 'webhook deliveries' }] : []),
    ]);
    expect(found).toEqual([]);
  });
});
