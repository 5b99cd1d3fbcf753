import type { GenerateRequest } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catchProviderError,
  type FixtureRoute,
  type FixtureServer,
  readFixture,
  startFixtureServer,
} from '../test-support/start-fixture-server.ts';
import { createAnthropicAdapter } from './create-anthropic-adapter.ts';

const fixture = (name: string) => readFixture(import.meta.url, name);
const REQUEST: GenerateRequest = {
  model: 'claude-haiku-4-5',
  messages: [{ role: 'user', content: 'Hi' }],
  maxTokens: 256,
};

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, reply: FixtureRoute) {
  return createAnthropicAdapter({
    id: 'anthropic-test',
    baseUrl: server.route(scenario, reply),
    apiKey: 'sk-ant-test-quota-signals-key',
    timeoutMs: 5_000,
  });
}

/** An RFC 3339 instant `ms` from now, rounded up to the second as Anthropic sends it. */
function resetIn(ms: number): { header: string; at: number } {
  const at = Math.ceil((Date.now() + ms) / 1_000) * 1_000;
  return { header: new Date(at).toISOString().replace('.000Z', 'Z'), at };
}

describe('quota-exhausted signals of the Messages API', () => {
  it('a 429 whose spent quota resets within the minute: rate_limited with scope minute and that reset', async () => {
    const reset = resetIn(20_000);
    const error = await catchProviderError(
      adapterFor('minute', {
        status: 429,
        headers: {
          'retry-after': '20',
          'anthropic-ratelimit-input-tokens-limit': '50000',
          'anthropic-ratelimit-input-tokens-remaining': '0',
          'anthropic-ratelimit-input-tokens-reset': reset.header,
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '49',
          'anthropic-ratelimit-requests-reset': resetIn(1_000).header,
        },
        body: fixture('error-rate-limit.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({
      outcome: 'rate_limited',
      exhausted: { scope: 'minute', resetAt: reset.at },
    });
  });

  it('a 429 whose spent requests quota resets hours away: quota_exhausted with scope day and that reset', async () => {
    const reset = resetIn(5 * 3_600_000);
    const error = await catchProviderError(
      adapterFor('day', {
        status: 429,
        headers: {
          'anthropic-ratelimit-requests-limit': '1000',
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': reset.header,
        },
        body: JSON.stringify({
          type: 'error',
          error: { type: 'rate_limit_error', message: 'This request would exceed your rate limit.' },
        }),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      exhausted: { scope: 'day', resetAt: reset.at },
    });
  });

  it('a low credit balance: quota_exhausted with scope credits', async () => {
    const error = await catchProviderError(
      adapterFor('credit', { status: 400, body: fixture('error-credit-balance.json') }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'quota_exhausted', exhausted: { scope: 'credits' } });
  });

  it('a spend limit: quota_exhausted with scope month until the instant it names', async () => {
    const error = await catchProviderError(
      adapterFor('spend', { status: 400, body: fixture('error-usage-limits.json') }).generate(REQUEST),
    );

    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      exhausted: { scope: 'month', resetAt: Date.parse('2027-01-01T00:00:00Z') },
    });
  });
});

describe('usage of Messages API answers', () => {
  it('counts cache reads and writes into the input tokens and reports them apart', async () => {
    const result = await adapterFor('cache', {
      status: 200,
      body: fixture('message-prompt-cache.json'),
    }).generate(REQUEST);

    expect(result.usage).toEqual({
      inputTokens: 42 + 512 + 3_072,
      outputTokens: 96,
      cachedInputTokens: 3_072,
      cacheWriteTokens: 512,
    });
  });
});
