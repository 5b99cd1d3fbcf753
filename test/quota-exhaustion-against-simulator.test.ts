import { type SimProviderConfig, type Simulator, startSimulator } from '@switchyard/provider-sim';
import { createAdapter } from '@switchyard/providers';
import { nextMidnight, ProviderError } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each adapter against the simulator's quota-exhausted answers: a daily cap spent (in the
// provider's own shape), and a provider that refuses every call, switched over the control API.

const FORMATS = ['openai', 'anthropic', 'gemini'] as const;
const KEY = 'sim-secret-key-0123456789';
const ask = {
  model: 'model-a',
  messages: [{ role: 'user' as const, content: 'Quotas run out. The broker moves on.' }],
  maxTokens: 40,
};
/** The day each provider's cap counts over (Gemini documents midnight Pacific time). */
const DAY_ZONE = { openai: 'UTC', anthropic: 'UTC', gemini: 'America/Los_Angeles' } as const;

let simulator: Simulator;
let counter = 0;

beforeAll(async () => {
  simulator = await startSimulator({ providers: [] });
});

afterAll(async () => {
  await simulator.close();
});

function adapterFor(format: (typeof FORMATS)[number], extra: Partial<SimProviderConfig> = {}) {
  const id = `quota-${format}-${++counter}`;
  simulator.addProvider({
    id,
    format,
    apiKey: KEY,
    models: [{ name: 'model-a', contextWindow: 2_000 }],
    ...extra,
  } as SimProviderConfig);
  const adapter = createAdapter({
    id,
    kind: format,
    baseUrl: simulator.baseUrlFor(id),
    apiKey: KEY,
    timeoutMs: 2_000,
  });
  return { id, adapter };
}

async function errorOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

async function patch(id: string, body: unknown): Promise<number> {
  const response = await fetch(`${simulator.url}/_sim/providers/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

describe.each(FORMATS)('%s adapter against a spent daily cap', (format) => {
  it('answers until the cap, then quota_exhausted with scope day until the provider day turns', async () => {
    const { id, adapter } = adapterFor(format, { dailyCap: { requests: 2 } });
    await adapter.generate(ask);
    await adapter.generate(ask);

    const before = Date.now();
    const error = await errorOf(adapter.generate(ask));
    const midnight = nextMidnight(DAY_ZONE[format], before);

    expect(error).toMatchObject({ outcome: 'quota_exhausted', statusCode: 429, exhausted: { scope: 'day' } });
    // OpenAI-style durations carry milliseconds; Anthropic's RFC 3339 and Gemini's own rule are exact.
    expect(Math.abs((error.exhausted?.resetAt ?? 0) - midnight)).toBeLessThan(1_000);
    if (format === 'gemini') expect(error.exhausted?.model).toBe('model-a');
    expect(simulator.stats(id)).toMatchObject({ succeeded: 2, rateLimited: 1 });
    expect(simulator.stats(id).log.at(-1)).toMatchObject({ status: 429, outcome: 'daily_cap_spent' });
  });
});

describe('openai adapter against a spent daily cap answered as insufficient_quota', () => {
  it('quota_exhausted with scope credits: no wait cures it', async () => {
    const { adapter } = adapterFor('openai', { dailyCap: { requests: 1, answer: 'insufficient-quota' } });
    await adapter.generate(ask);

    const error = await errorOf(adapter.generate(ask));

    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      statusCode: 429,
      exhausted: { scope: 'credits' },
    });
  });
});

describe.each(FORMATS)('%s adapter against a provider refusing everything', (format) => {
  it("down 'rate_limited' set over the control API: every call is rate_limited with Retry-After 1 s, until cleared", async () => {
    const { id, adapter } = adapterFor(format);
    expect(await patch(id, { down: 'rate_limited' })).toBe(200);

    for (let call = 0; call < 3; call += 1) {
      const error = await errorOf(adapter.generate(ask));
      expect(error).toMatchObject({ outcome: 'rate_limited', statusCode: 429, retryAfterMs: 1_000 });
    }
    expect(simulator.stats(id)).toMatchObject({ requests: 3, succeeded: 0, rateLimited: 3, outages: 3 });

    expect(await patch(id, { down: false })).toBe(200);
    await expect(adapter.generate(ask)).resolves.toMatchObject({ finishReason: 'stop' });
  });
});
