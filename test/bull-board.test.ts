import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, startHarness } from './support/app-harness.ts';

// Bull Board in a real browser: Debian's Chromium, headless, against the app on a real port.
// The workers are not started, so the submitted jobs stay in their queues for the board to count.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ACME = 'acme-key-0123456789abcdef';
const ADMIN = 'admin-key-0123456789abcdef';
const PROVIDERS = ['board-openai', 'board-anthropic'] as const;
const PROVIDER_QUEUES = PROVIDERS.map((id) => `provider.${id}`);
const TEXT = 'The harbour froze in January. Ships waited outside for a week. Then the ice broke.';
const BOARD = '/admin/queues';
const WAIT = { timeout: 10_000 };

let harness: Harness;
let browser: Browser | undefined;
let origin: string;

beforeAll(async () => {
  harness = await startHarness({
    providers: PROVIDERS.map((id, index) => ({
      id,
      format: index === 0 ? 'openai' : 'anthropic',
      models: [{ name: 'm', contextWindow: 4_000 }],
      switchyard: { tier: 'free', dataPolicy: 'may-train' },
    })),
    routes: { main: { targets: PROVIDERS.map((id) => `${id}/m`) } },
    auth: { apiKeys: [{ key: ACME, tenant: 'acme' }], adminKeys: [ADMIN] },
    config: {
      webhooks: { secret: 'whsec_c3dpdGNoeWFyZC10ZXN0LXNlY3JldC0wMDAx', allowPrivateNetworks: false },
    },
    workers: false,
    listen: true,
  });
  origin = harness.origin;

  // Two jobs pinned to each provider, and one on the two-target route, which also puts a
  // delayed check in the deadlines queue.
  const bodies = [...[...PROVIDERS, ...PROVIDERS].map((id) => ({ model: `${id}/m` })), { route: 'main' }];
  for (const body of bodies) {
    const accepted = await fetch(`${origin}/v1/jobs`, {
      method: 'POST',
      headers: { ...bearer(ACME), 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, prompt: TEXT, max_tokens: 32 }),
    });
    expect(accepted.status).toBe(202);
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
  await harness?.close();
});

/** A browser context in which only the app answers: other hosts (Google Fonts) fail at once. */
async function newContext(options: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  await context.route(
    (url) => url.origin !== origin,
    (route) => route.abort('blockedbyclient'),
  );
  return context;
}

/** Records failed requests and error responses for the board's own URLs (page, API, assets). */
function watchOwnRequests(page: Page): string[] {
  const failures: string[] = [];
  const own = (url: string) => url.startsWith(`${origin}${BOARD}`);
  page.on('requestfailed', (request) => {
    if (own(request.url())) failures.push(`${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (own(response.url()) && response.status() >= 400) {
      failures.push(`${response.url()}: ${response.status()}`);
    }
  });
  return failures;
}

/** The queue cards of the overview: each card links to `queue/<name>` and ends in "<n> Jobs". */
const queueCard = (page: Page, name: string) =>
  page.locator('main ul > li').filter({ has: page.locator(`a[href="${BOARD}/queue/${name}"]`) });

/** Waits for the cards of these queues; if they never come, says which of the board's requests failed. */
async function waitForCards(page: Page, names: string[], failures: string[]): Promise<void> {
  try {
    for (const name of names) await queueCard(page, name).waitFor(WAIT);
  } catch (error) {
    throw new Error(`Bull Board did not render; failed requests: ${failures.join(', ') || 'none'}`, {
      cause: error,
    });
  }
}

describe('Bull Board in Chromium', () => {
  it('answers 401 without the admin key', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${ACME}` },
      { authorization: 'Bearer nope' },
      { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` },
    ];
    for (const headers of attempts) {
      const page = await fetch(`${origin}${BOARD}`, { headers });
      expect(page.status).toBe(401);
      expect(page.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(await page.text()).not.toContain('<html');
    }
    // Its API and assets too, not only the page.
    expect((await fetch(`${origin}${BOARD}/api/queues`)).status).toBe(401);
    expect((await fetch(`${origin}${BOARD}/static/images/logo.svg`)).status).toBe(401);
  });

  it('lists every queue with its jobs, its own assets all loaded', async () => {
    const context = await newContext({ extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` } });
    try {
      const page = await context.newPage();
      const failures = watchOwnRequests(page);
      const response = await page.goto(`${origin}${BOARD}`, WAIT);
      expect(response?.status()).toBe(200);

      // The overview renders a card per queue once the UI has fetched /api/queues.
      const expected = [...PROVIDER_QUEUES, 'deadlines', 'finalize', 'batch-submit', 'webhooks'];
      await waitForCards(page, expected, failures);
      const listed = await page.locator(`main a[href^="${BOARD}/queue/"]`).allTextContents();
      expect(listed.sort()).toEqual([...expected].sort());
      // The sidebar lists them too.
      const sidebar = await page
        .locator(`#bull-board-sidebar nav a[href^="${BOARD}/queue/"]`)
        .allTextContents();
      expect(sidebar.sort()).toEqual([...expected].sort());

      const jobsIn = async (name: string) => {
        const text = await queueCard(page, name)
          .getByText(/^\d+ Jobs?$/)
          .textContent(WAIT);
        return Number.parseInt(text ?? '', 10);
      };
      for (const name of PROVIDER_QUEUES) expect(await jobsIn(name)).toBeGreaterThanOrEqual(2);
      expect((await jobsIn(PROVIDER_QUEUES[0]!)) + (await jobsIn(PROVIDER_QUEUES[1]!))).toBe(5);
      expect(await jobsIn('deadlines')).toBe(1);
      expect(await jobsIn('webhooks')).toBe(0);

      await page.waitForLoadState('networkidle', WAIT);
      await mkdir('artifacts', { recursive: true });
      await page.screenshot({ path: 'artifacts/bull-board.png', fullPage: true });
      expect(failures).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('accepts basic auth with the admin key as password', async () => {
    const context = await newContext({ httpCredentials: { username: 'admin', password: ADMIN } });
    try {
      const page = await context.newPage();
      const failures = watchOwnRequests(page);
      expect((await page.goto(`${origin}${BOARD}`, WAIT))?.status()).toBe(200);
      await waitForCards(page, [...PROVIDER_QUEUES, 'webhooks'], failures);
      await page.waitForLoadState('networkidle', WAIT);
      // Chromium answers the 401 challenge itself: the page sees only the authorized answers.
      expect(failures).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
