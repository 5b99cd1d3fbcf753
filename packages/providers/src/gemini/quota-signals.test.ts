import { type GenerateRequest, nextMidnight } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  catchProviderError,
  type FixtureRoute,
  type FixtureServer,
  readFixture,
  startFixtureServer,
} from '../test-support/start-fixture-server.ts';
import { createGeminiAdapter } from './create-gemini-adapter.ts';

const fixture = (name: string) => readFixture(import.meta.url, name);
const REQUEST: GenerateRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] };

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, reply: FixtureRoute) {
  return createGeminiAdapter({
    id: 'gemini-test',
    baseUrl: `${server.route(scenario, reply)}/v1beta`,
    apiKey: 'AIzaSyTest-quota-signals-key-0123456789',
    timeoutMs: 5_000,
  });
}

describe('quota-exhausted signals of generateContent', () => {
  it('a PerMinute QuotaFailure: rate_limited with scope minute, back after RetryInfo.retryDelay', async () => {
    const before = Date.now();
    const error = await catchProviderError(
      adapterFor('minute', { status: 429, body: fixture('error-rate-limit-per-minute.json') }).generate(
        REQUEST,
      ),
    );

    expect(error).toMatchObject({
      outcome: 'rate_limited',
      exhausted: { scope: 'minute', model: 'gemini-2.0-flash' },
    });
    const retryAfterMs = error.retryAfterMs ?? Number.NaN;
    expect(error.exhausted?.resetAt).toBeGreaterThanOrEqual(before + retryAfterMs);
    expect(error.exhausted?.resetAt).toBeLessThanOrEqual(Date.now() + retryAfterMs);
  });

  it('a PerDay QuotaFailure: quota_exhausted with scope day until the next midnight in Los Angeles', async () => {
    const before = Date.now();
    const error = await catchProviderError(
      adapterFor('day', { status: 429, body: fixture('error-quota-per-day.json') }).generate(REQUEST),
    );
    const after = Date.now();

    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      exhausted: { scope: 'day', model: 'gemini-2.5-flash' },
    });
    // Midnight Pacific is 07:00 or 08:00 UTC, at most a day away.
    const resetAt = error.exhausted?.resetAt ?? 0;
    expect([
      nextMidnight('America/Los_Angeles', before),
      nextMidnight('America/Los_Angeles', after),
    ]).toContain(resetAt);
    expect(new Date(resetAt).getUTCHours()).toBeOneOf([7, 8]);
    expect(resetAt - after).toBeLessThanOrEqual(86_400_000);
  });

  it('a limit of 0 (no free tier for the model): quota_exhausted with scope credits, whatever the window', async () => {
    const error = await catchProviderError(
      adapterFor('zero', { status: 429, body: fixture('error-quota-limit-zero.json') }).generate(REQUEST),
    );

    // The violations carry no quotaValue here: the message's "limit: 0" says it.
    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      exhausted: { scope: 'credits', model: 'gemini-2.5-pro' },
    });
    expect(error.exhausted?.resetAt).toBeUndefined();
  });
});

describe('usage of generateContent answers', () => {
  it('reports cached content and thoughts, with thoughts counted as output', async () => {
    const result = await adapterFor('cached', {
      status: 200,
      body: fixture('generate-content-cached-thinking.json'),
    }).generate(REQUEST);

    expect(result.usage).toEqual({
      inputTokens: 4_110,
      outputTokens: 11 + 285,
      cachedInputTokens: 4_096,
      reasoningTokens: 285,
    });
  });
});
