import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// A provider with several API keys, against a simulator that counts per key: each key (each
// quota group) has its own counters, the worker takes a key with room, and GET /v1/providers
// shows the keys by fingerprint, never the keys themselves.

const TENANT_KEY = 'acme-key-0123456789abcdef';
const POOL = ['sk-pool-first-7c1d0a', 'sk-pool-second-93be44'];
const PROJECT = ['sk-project-one-5521aa', 'sk-project-two-18f0c3'];
const fingerprint = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);
let harness: Harness;

beforeAll(async () => {
  const models = [{ name: 'm', contextWindow: 4_000 }];
  const limits = [{ requests: 2, per: '1m' }];
  harness = await startHarness({
    providers: [
      {
        id: 'pool',
        format: 'openai',
        models,
        simulator: { apiKeys: POOL, limits },
        switchyard: { tier: 'free', apiKeys: POOL, limits },
      },
      {
        // Both keys belong to one project, which the provider counts as one.
        id: 'project',
        format: 'gemini',
        models,
        simulator: { apiKeys: PROJECT.map((key) => ({ key, account: 'project-a' })), limits },
        switchyard: {
          tier: 'free',
          apiKeys: PROJECT.map((key) => ({ key, quotaGroup: 'project-a' })),
          limits,
        },
      },
    ],
    routes: { pool: { targets: ['pool/m'] }, project: { targets: ['project/m'] } },
    auth: { apiKeys: [{ key: TENANT_KEY, tenant: 'acme' }] },
  });
});

// A job is left waiting for the next minute's window; closing may wait for the worker holding
// it, up to that window.
afterAll(() => harness?.close(), 90_000);

async function submit(route: string): Promise<string> {
  const accepted = await harness.app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: bearer(TENANT_KEY),
    payload: { route, prompt: 'The harbour froze in January.', max_tokens: 16 },
  });
  expect(accepted.statusCode).toBe(202);
  return accepted.json().id;
}

async function statuses(ids: string[]): Promise<string[]> {
  return Promise.all(ids.map(async (id) => (await harness.services.broker.get(id))!.status));
}

async function providersText(): Promise<string> {
  const response = await harness.app.inject({
    method: 'GET',
    url: '/v1/providers',
    headers: bearer(TENANT_KEY),
  });
  expect(response.statusCode).toBe(200);
  return response.body;
}

async function providerView(id: string) {
  const data = JSON.parse(await providersText()).data as { id: string; [field: string]: unknown }[];
  return data.find((provider) => provider.id === id)!;
}

describe('a key pool', () => {
  it('serves 2 x 2 requests a minute with two keys of 2 each, and the fifth waits', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push(await submit('pool'));
    const done = await until(
      async () => {
        const now = await statuses(ids);
        return now.filter((status) => status === 'succeeded').length === 4 ? now : undefined;
      },
      { message: 'four pool jobs to succeed', timeoutMs: 15_000 },
    );
    expect(done.filter((status) => status === 'queued')).toHaveLength(1);
    const stats = harness.simulator.stats('pool');
    expect(stats).toMatchObject({ requests: 4, succeeded: 4, rateLimited: 0 });

    const view = await providerView('pool');
    expect(view.limits).toEqual([expect.objectContaining({ used: 4, remaining: 0 })]);
    expect(view.keys).toEqual(
      POOL.map((key) => ({
        fingerprint: fingerprint(key),
        quota_group: fingerprint(key),
        limits: [expect.objectContaining({ scope: 'provider', used: 2, remaining: 0, effective_limit: 2 })],
        tightened: null,
        backoff: null,
      })),
    );
    // The fifth stays queued: no key has room for a minute, and nothing was sent for it.
    expect(await statuses(ids.slice(-1))).toEqual(['queued']);
    expect(harness.simulator.stats('pool').requests).toBe(4);
  });

  it('shares the counters of keys in one quota group', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) ids.push(await submit('project'));
    await until(async () => (await statuses(ids)).filter((status) => status === 'succeeded').length === 2, {
      message: 'two project jobs to succeed',
      timeoutMs: 15_000,
    });
    expect((await statuses(ids)).sort()).toEqual(['queued', 'succeeded', 'succeeded']);
    expect(harness.simulator.stats('project')).toMatchObject({ requests: 2, rateLimited: 0 });
    const view = await providerView('project');
    expect(view.limits).toEqual([expect.objectContaining({ used: 2, remaining: 0 })]);
    expect(view.keys).toEqual(
      PROJECT.map((key) =>
        expect.objectContaining({
          fingerprint: fingerprint(key),
          quota_group: 'project-a',
          limits: [expect.objectContaining({ used: 2, remaining: 0 })],
        }),
      ),
    );
  });

  it('never shows a key in GET /v1/providers', async () => {
    const text = await providersText();
    for (const key of [...POOL, ...PROJECT]) expect(text).not.toContain(key);
    expect(text).toContain(fingerprint(POOL[0]!));
  });
});
