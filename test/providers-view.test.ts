import type { Job } from '@switchyard/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// GET /v1/providers shows what the quota admits now and why: a limit tightened after an
// unexpected 429 with its reason and end, and no latency for a provider not yet measured.

const KEY = 'acme-key-0123456789abcdef';
let harness: Harness;

beforeAll(async () => {
  const models = [{ name: 'm', contextWindow: 4_000 }];
  harness = await startHarness({
    providers: [
      {
        id: 'view-strict',
        format: 'openai',
        models,
        // The provider admits 1 call a minute although Switchyard is told 15.
        simulator: { limits: [{ requests: 1, per: '1m' }] },
        switchyard: { tier: 'free', limits: [{ requests: 15, per: '1m' }] },
      },
      { id: 'view-idle', format: 'openai', models, switchyard: { tier: 'free' } },
    ],
    routes: { main: { targets: ['view-strict/m', 'view-idle/m'] } },
    auth: { apiKeys: [{ key: KEY, tenant: 'acme' }] },
    config: { scheduling: { retriesPerTarget: 0 } },
  });
});

afterAll(() => harness?.close());

async function providers() {
  const response = await harness.app.inject({ method: 'GET', url: '/v1/providers', headers: bearer(KEY) });
  expect(response.statusCode).toBe(200);
  const data = response.json().data as { id: string; [field: string]: unknown }[];
  return new Map(data.map((provider) => [provider.id, provider]));
}

async function submit(): Promise<string> {
  const accepted = await harness.app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: bearer(KEY),
    payload: { route: 'main', prompt: 'The harbour froze in January.', max_tokens: 16 },
  });
  expect(accepted.statusCode).toBe(202);
  return accepted.json().id;
}

async function runJob(): Promise<Job> {
  return (await harness.services.broker.waitFor(await submit(), 15_000))!;
}

describe('GET /v1/providers', () => {
  it('shows no latency before a provider answered, then the measured one', async () => {
    const before = await providers();
    expect(before.get('view-strict')).toMatchObject({ latency_ms: null, tightened: null });
    expect(before.get('view-strict')?.limits).toEqual([
      expect.objectContaining({ max: 15, limit: 15, effective_limit: 15 }),
    ]);

    expect((await runJob()).status).toBe('succeeded');
    const after = await providers();
    expect(after.get('view-strict')?.latency_ms).toEqual(expect.any(Number));
    expect(after.get('view-idle')?.latency_ms).toBeNull();
  });

  it('shows a limit tightened after an unexpected 429, with its factor, reason and end', async () => {
    // The provider's own limit is spent: it answers 429 although our quota admitted the call.
    await submit();
    const strict = await until(
      async () => {
        const provider = (await providers()).get('view-strict');
        return provider?.tightened ? provider : undefined;
      },
      { message: 'the quota of view-strict to be tightened' },
    );
    expect(strict.limits).toEqual([expect.objectContaining({ max: 15, limit: 15, effective_limit: 13 })]);
    const tightened = strict.tightened as { factor: number; reason: string; until: string };
    expect(tightened.factor).toBeCloseTo(0.9, 10);
    expect(tightened.reason).toMatch(/429/);
    expect(Date.parse(tightened.until)).toBeGreaterThan(Date.now());
  });
});
