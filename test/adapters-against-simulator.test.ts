import {
  countTokens,
  type SimProviderConfig,
  type Simulator,
  startSimulator,
} from '@switchyard/provider-sim';
import { createAdapter } from '@switchyard/providers';
import { type AttemptOutcome, ProviderError } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../apps/provider-sim/src/summarize.ts';

// Each adapter against the simulator speaking its wire format: every outcome of the
// taxonomy the simulator can produce, over real HTTP.

const FORMATS = ['openai', 'anthropic', 'gemini'] as const;
const KEY = 'sim-secret-key-0123456789';
const TEXT =
  'Quotas are shared by every worker. Jobs wait for capacity instead of failing. A job that cannot make its deadline moves to the next provider. Results come back by webhook or polling.';

let simulator: Simulator;
let counter = 0;

beforeAll(async () => {
  simulator = await startSimulator({ providers: [] });
});

afterAll(async () => {
  await simulator.close();
});

function adapterFor(
  format: (typeof FORMATS)[number],
  extra: Partial<SimProviderConfig> = {},
  timeoutMs = 2_000,
) {
  const id = `${format}-${++counter}`;
  simulator.addProvider({
    id,
    format,
    apiKey: KEY,
    models: [{ name: 'model-a', contextWindow: 2_000 }],
    ...extra,
  } as SimProviderConfig);
  return {
    id,
    adapter: createAdapter({ id, kind: format, baseUrl: simulator.baseUrlFor(id), apiKey: KEY, timeoutMs }),
  };
}

async function outcomeOf(
  promise: Promise<unknown>,
): Promise<{ outcome: AttemptOutcome; error: ProviderError }> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return { outcome: error.outcome, error };
    throw error;
  }
  throw new Error('expected a ProviderError');
}

const ask = { model: 'model-a', messages: [{ role: 'user' as const, content: TEXT }], maxTokens: 40 };

describe.each(FORMATS)('%s adapter against the simulator', (format) => {
  it('200: returns the summary, finish reason and usage', async () => {
    const { adapter } = adapterFor(format);
    const result = await adapter.generate({
      ...ask,
      messages: [{ role: 'system', content: 'Summarize.' }, ...ask.messages],
    });
    // The simulator summarizes the user's text and counts every message, the system one too.
    const summary = summarize(TEXT, ask.maxTokens);
    expect(result.content).toBe(summary.text);
    expect(TEXT).toContain(result.content.split(/(?<=\.)\s/)[0]);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(countTokens('Summarize.') + countTokens(TEXT));
    expect(result.usage.outputTokens).toBe(summary.outputTokens);
  });

  it('401 (or Gemini 400 API_KEY_INVALID): authentication_failed, key not echoed', async () => {
    const { id } = adapterFor(format);
    const wrongKey = 'wrong-key-abcdefghijklmnop';
    const adapter = createAdapter({
      id,
      kind: format,
      baseUrl: simulator.baseUrlFor(id),
      apiKey: wrongKey,
      timeoutMs: 2_000,
    });
    const { outcome, error } = await outcomeOf(adapter.generate(ask));
    expect(outcome).toBe('authentication_failed');
    expect(JSON.stringify({ ...error.toJSON(), body: error.responseBody })).not.toContain(wrongKey);
  });

  it('404 unknown model: invalid_request', async () => {
    const { adapter } = adapterFor(format);
    expect((await outcomeOf(adapter.generate({ ...ask, model: 'model-z' }))).outcome).toBe('invalid_request');
  });

  it('context too long: context_length_exceeded', async () => {
    const { adapter } = adapterFor(format);
    const long = { ...ask, messages: [{ role: 'user' as const, content: TEXT.repeat(60) }] };
    expect((await outcomeOf(adapter.generate(long))).outcome).toBe('context_length_exceeded');
  });

  it('429 over a limit: rate_limited with the retry-after the simulator advertised', async () => {
    const { adapter } = adapterFor(format, { limits: [{ requests: 1, per: '5s' }] });
    await adapter.generate(ask);
    const { outcome, error } = await outcomeOf(adapter.generate(ask));
    expect(outcome).toBe('rate_limited');
    expect(error.statusCode).toBe(429);
    expect(error.retryAfterMs).toBeGreaterThan(3_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(5_000);
  });

  it.each([
    ['serverError', 'server_error'],
    ['unavailable', 'server_error'],
    ['malformed', 'bad_response'],
    ['truncated', 'bad_response'],
    ['networkReset', 'network_error'],
  ] as const)('injected %s: %s', async (failure, expected) => {
    const { adapter } = adapterFor(format, { failures: { [failure]: 1 } });
    expect((await outcomeOf(adapter.generate(ask))).outcome).toBe(expected);
  });

  it('a provider that never answers: timeout, after the provider timeout', async () => {
    const { adapter } = adapterFor(format, { failures: { timeout: 1 } }, 300);
    const started = Date.now();
    expect((await outcomeOf(adapter.generate(ask))).outcome).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a provider taken down at run time and back up', async () => {
    const { id, adapter } = adapterFor(format);
    simulator.configure(id, { down: 'unavailable' });
    expect((await outcomeOf(adapter.generate(ask))).outcome).toBe('server_error');
    simulator.configure(id, { down: false });
    await expect(adapter.generate(ask)).resolves.toMatchObject({ finishReason: 'stop' });
  });
});
