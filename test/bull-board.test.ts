import { mkdir } from 'node:fs/promises';
import { buildApp } from '@switchyard/app/app';
import { createServices, type Services } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// Bull Board in a real browser: Debian's Chromium, headless, against the app on a real port.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ACME = 'acme-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdef';
const PROVIDERS = ['board-openai', 'board-anthropic'] as const;
const TEXT = 'The harbour froze in January. Ships waited outside for a week. Then the ice broke.';

let simulator: Simulator;
let services: Services;
let app: Awaited<ReturnType<typeof buildApp>>;
let browser: Browser | undefined;
let baseUrl: string;
const prefix = testPrefix();

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      { id: PROVIDERS[0], format: 'openai', models: [{ name: 'm', contextWindow: 4_000 }] },
      { id: PROVIDERS[1], format: 'anthropic', models: [{ name: 'm', contextWindow: 4_000 }] },
    ],
  });
  const config = parseConfig(
    {
      presets: 'off',
      providers: PROVIDERS.map((id, index) => ({
        id,
        kind: index === 0 ? 'openai' : 'anthropic',
        baseUrl: simulator.baseUrlFor(id),
        tier: 'free',
        dataPolicy: 'may-train',
        models: [{ name: 'm', contextWindow: 4_000 }],
      })),
      routes: { main: { targets: PROVIDERS.map((id) => `${id}/m`) } },
      redis: { url: REDIS_URL, prefix },
      auth: { apiKeys: [{ key: ACME, tenant: 'acme' }], adminKeys: [ADMIN] },
      webhooks: { secret: 'whsec_c3dpdGNoeWFyZC10ZXN0LXNlY3JldC0wMDAx', allowPrivateNetworks: false },
    },
    {},
  );
  services = createServices(config);
  await services.startWorkers();
  app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on TCP');
  baseUrl = `http://127.0.0.1:${address.port}`;

  // A few jobs on each provider, run to the end, so every provider queue has content.
  const ids: string[] = [];
  for (const id of [...PROVIDERS, ...PROVIDERS]) {
    const accepted = await fetch(`${baseUrl}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ACME}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: `${id}/m`, prompt: TEXT, max_tokens: 32 }),
    });
    expect(accepted.status).toBe(202);
    ids.push(((await accepted.json()) as { id: string }).id);
  }
  for (const id of ids) {
    const polled = await fetch(`${baseUrl}/v1/jobs/${id}?wait=10`, {
      headers: { authorization: `Bearer ${ACME}` },
    });
    expect(((await polled.json()) as { status: string }).status).toBe('succeeded');
  }

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 15_000,
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await services?.close();
  await simulator?.close();
  await deleteKeys(prefix);
});

describe('Bull Board in Chromium', () => {
  it('answers 401 without the admin key', async () => {
    expect((await fetch(`${baseUrl}/admin/queues`)).status).toBe(401);
    expect(
      (await fetch(`${baseUrl}/admin/queues`, { headers: { authorization: `Bearer ${ACME}` } })).status,
    ).toBe(401);
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      const response = await page.goto(`${baseUrl}/admin/queues`, { timeout: 10_000 });
      expect(response?.status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('renders every queue with its own assets loaded', async () => {
    const context = await browser!.newContext({
      extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` },
      viewport: { width: 1280, height: 900 },
    });
    // Only the app is reachable from here: anything else (Google Fonts) is refused at once
    // instead of waiting for a network this machine does not have.
    await context.route(
      (url) => url.origin !== baseUrl,
      (route) => route.abort('blockedbyclient'),
    );
    const failures: string[] = [];
    const own = (url: string) => url.startsWith(`${baseUrl}/admin/queues`);
    try {
      const page = await context.newPage();
      page.on('requestfailed', (request) => {
        if (own(request.url())) failures.push(`${request.url()}: ${request.failure()?.errorText}`);
      });
      page.on('response', (response) => {
        if (own(response.url()) && response.status() >= 400) {
          failures.push(`${response.url()}: ${response.status()}`);
        }
      });
      const response = await page.goto(`${baseUrl}/admin/queues`, { timeout: 10_000 });
      expect(response?.status()).toBe(200);
      await page.waitForLoadState('networkidle', { timeout: 10_000 });
      console.log(await page.content());
      await mkdir('artifacts', { recursive: true });
      await page.screenshot({ path: 'artifacts/bull-board.png', fullPage: true });
      expect(failures).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
