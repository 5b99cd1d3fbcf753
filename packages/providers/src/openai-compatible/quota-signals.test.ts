import type { GenerateRequest } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catchProviderError,
  type FixtureRoute,
  type FixtureServer,
  readFixture,
  startFixtureServer,
} from '../test-support/start-fixture-server.ts';
import { createOpenAICompatibleAdapter } from './create-openai-compatible-adapter.ts';

const fixture = (name: string) => readFixture(import.meta.url, name);
const REQUEST: GenerateRequest = { model: 'some-model', messages: [{ role: 'user', content: 'Hi' }] };

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, reply: FixtureRoute) {
  return createOpenAICompatibleAdapter({
    id: 'openai-test',
    baseUrl: server.route(scenario, reply),
    apiKey: 'sk-test-quota-signals-key',
    timeoutMs: 5_000,
  });
}

describe('quota-exhausted signals of OpenAI-compatible providers', () => {
  it('OpenAI insufficient_quota: quota_exhausted with scope credits and no reset', async () => {
    const error = await catchProviderError(
      adapterFor('insufficient', { status: 429, body: fixture('error-insufficient-quota.json') }).generate(
        REQUEST,
      ),
    );

    expect(error).toMatchObject({ outcome: 'quota_exhausted', exhausted: { scope: 'credits' } });
    expect(error.exhausted?.resetAt).toBeUndefined();
  });

  it('Groq requests per day: the spent requests header (RPD) gives the day scope and its reset', async () => {
    const before = Date.now();
    const error = await catchProviderError(
      adapterFor('groq-rpd', {
        status: 429,
        headers: {
          'retry-after': '180',
          'x-ratelimit-limit-requests': '1000',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '2m59.56s',
          'x-ratelimit-limit-tokens': '12000',
          'x-ratelimit-remaining-tokens': '11800',
          'x-ratelimit-reset-tokens': '1s',
        },
        body: fixture('groq-error-requests-per-day.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      retryAfterMs: 180_000,
      exhausted: { scope: 'day' },
    });
    expect(error.exhausted?.resetAt).toBeGreaterThanOrEqual(before + 179_560);
    expect(error.exhausted?.resetAt).toBeLessThanOrEqual(Date.now() + 179_560);
  });

  it('Groq requests per day without a message naming it: decided by the spent header resetting past a minute', async () => {
    const error = await catchProviderError(
      adapterFor('groq-rpd-headers', {
        status: 429,
        headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2m59.56s' },
        body: JSON.stringify({
          error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
        }),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'quota_exhausted', exhausted: { scope: 'day' } });
  });

  it('Groq tokens per minute: rate_limited with scope minute, back after the wait it names', async () => {
    const before = Date.now();
    const error = await catchProviderError(
      adapterFor('groq-tpm', {
        status: 429,
        headers: { 'x-ratelimit-remaining-tokens': '176', 'x-ratelimit-reset-tokens': '12.3s' },
        body: fixture('groq-error-tokens-per-minute.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'rate_limited', exhausted: { scope: 'minute' } });
    expect(error.exhausted?.resetAt).toBeGreaterThanOrEqual(before + 12_300);
    expect(error.exhausted?.resetAt).toBeLessThanOrEqual(Date.now() + 12_300);
  });

  it('OpenRouter free-models-per-day: quota_exhausted until X-RateLimit-Reset (epoch ms), read from the headers', async () => {
    const error = await catchProviderError(
      adapterFor('openrouter-day', {
        status: 429,
        headers: {
          'x-ratelimit-limit': '50',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '1796342400000',
        },
        body: fixture('openrouter-error-free-models-per-day.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      exhausted: { scope: 'day', resetAt: 1_796_342_400_000 },
    });
  });

  it('OpenRouter free-models-per-day: the reset also comes from the headers repeated in the body', async () => {
    const error = await catchProviderError(
      adapterFor('openrouter-day-body', {
        status: 429,
        body: fixture('openrouter-error-free-models-per-day.json'),
      }).generate(REQUEST),
    );

    expect(error.exhausted).toEqual({ scope: 'day', resetAt: 1_796_342_400_000 });
  });

  it('OpenRouter 402 (out of credits): quota_exhausted with scope credits', async () => {
    const error = await catchProviderError(
      adapterFor('openrouter-402', {
        status: 402,
        body: fixture('openrouter-error-insufficient-credits.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      statusCode: 402,
      exhausted: { scope: 'credits' },
    });
  });

  it('Mistral 429 (no documented quota headers): rate_limited, Retry-After honoured, no exhaustion named', async () => {
    const error = await catchProviderError(
      adapterFor('mistral', {
        status: 429,
        headers: { 'retry-after': '1' },
        body: fixture('mistral-error-rate-limit.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 1_000 });
    expect(error.exhausted).toBeUndefined();
  });
});

describe('usage of OpenAI-compatible answers', () => {
  it('reports cached input and reasoning tokens as parts of the prompt and completion totals', async () => {
    const result = await adapterFor('cached', {
      status: 200,
      body: fixture('chat-completion-cached-reasoning.json'),
    }).generate(REQUEST);

    expect(result.usage).toEqual({
      inputTokens: 2_048,
      outputTokens: 522,
      cachedInputTokens: 1_920,
      reasoningTokens: 448,
    });
  });
});
