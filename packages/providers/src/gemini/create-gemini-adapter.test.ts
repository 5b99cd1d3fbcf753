import type { GenerateRequest } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catchProviderError,
  type FixtureRoute,
  type FixtureServer,
  findClosedPort,
  httpDateIn,
  readFixture,
  startFixtureServer,
} from '../test-support/start-fixture-server.ts';
import { createGeminiAdapter } from './create-gemini-adapter.ts';

const API_KEY = 'AIzaSyTest-4bX9cV2nM7qL1wE8rT5yU3iO6pA0sD';
const fixture = (name: string) => readFixture(import.meta.url, name);

const REQUEST: GenerateRequest = {
  model: 'gemini-2.0-flash',
  messages: [
    { role: 'system', content: 'Answer in one sentence.' },
    { role: 'user', content: 'What is the capital of France?' },
    { role: 'assistant', content: 'Paris.' },
    { role: 'user', content: 'And of Italy?' },
    { role: 'user', content: 'Just the city, please.' },
  ],
  maxTokens: 256,
  temperature: 0.2,
  topP: 0.95,
};

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, reply: FixtureRoute, timeoutMs = 5_000) {
  return createGeminiAdapter({
    id: 'gemini-test',
    baseUrl: `${server.route(scenario, reply)}/v1beta/`,
    apiKey: API_KEY,
    timeoutMs,
  });
}

describe('createGeminiAdapter', () => {
  it('returns content and usage, and sends the key in a header, never in the URL', async () => {
    const adapter = adapterFor('ok', { status: 200, body: fixture('generate-content.json') });

    const result = await adapter.generate(REQUEST);

    expect(adapter).toMatchObject({ id: 'gemini-test', kind: 'gemini' });
    expect(result).toEqual({
      content: 'The capital of France is Paris.\n',
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 8 },
      model: 'gemini-2.0-flash',
      responseId: 'kGHOaJ2XBvOGz7IPkd-r8QI',
    });
    const [sent] = server.requestsTo('ok');
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(sent?.path).not.toContain(API_KEY);
    expect(sent?.path).not.toContain('key=');
    expect(sent?.headers['x-goog-api-key']).toBe(API_KEY);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      systemInstruction: { parts: [{ text: 'Answer in one sentence.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'What is the capital of France?' }] },
        { role: 'model', parts: [{ text: 'Paris.' }] },
        { role: 'user', parts: [{ text: 'And of Italy?' }, { text: 'Just the city, please.' }] },
      ],
      generationConfig: { maxOutputTokens: 256, temperature: 0.2, topP: 0.95 },
    });
  });

  it('accepts a models/ prefix and omits generationConfig when nothing is set', async () => {
    await adapterFor('minimal', { status: 200, body: fixture('generate-content.json') }).generate({
      model: 'models/gemini-2.0-flash-lite',
      messages: [{ role: 'user', content: 'Hi' }],
      stop: undefined,
    });

    const [sent] = server.requestsTo('minimal');
    expect(sent?.path).toBe('/v1beta/models/gemini-2.0-flash-lite:generateContent');
    expect(JSON.parse(sent?.body ?? '')).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
  });

  it('maps a 400 INVALID_ARGUMENT to invalid_request', async () => {
    const body = fixture('error-invalid-argument.json');
    const error = await catchProviderError(adapterFor('bad-param', { status: 400, body }).generate(REQUEST));

    expect(error).toMatchObject({ outcome: 'invalid_request', statusCode: 400, responseBody: body });
    expect(error.message).toContain('INVALID_ARGUMENT');
  });

  it.each([
    ['a 400 API_KEY_INVALID', 400, 'error-api-key-invalid.json'],
    ['a 401 UNAUTHENTICATED', 401, 'error-unauthenticated.json'],
  ])('maps %s to authentication_failed', async (_name, status, name) => {
    const error = await catchProviderError(
      adapterFor(`auth-${status}`, { status, body: fixture(name) }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'authentication_failed', statusCode: status });
    expect(error.message).not.toContain(API_KEY);
  });

  it('maps a 404 unknown model to invalid_request', async () => {
    const error = await catchProviderError(
      adapterFor('unknown-model', { status: 404, body: fixture('error-model-not-found.json') }).generate({
        ...REQUEST,
        model: 'gemini-9.0-ultra',
      }),
    );

    expect(error).toMatchObject({ outcome: 'invalid_request', statusCode: 404 });
  });

  it('maps an input token count over the limit to context_length_exceeded', async () => {
    const error = await catchProviderError(
      adapterFor('context', { status: 400, body: fixture('error-token-count-exceeded.json') }).generate(
        REQUEST,
      ),
    );

    expect(error).toMatchObject({ outcome: 'context_length_exceeded', statusCode: 400 });
  });

  it('maps a per-minute RESOURCE_EXHAUSTED to rate_limited with the RetryInfo delay', async () => {
    const error = await catchProviderError(
      adapterFor('rate-retry-info', {
        status: 429,
        body: fixture('error-rate-limit-per-minute.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'rate_limited', statusCode: 429, retryAfterMs: 37_000 });
    expect(error.rateLimit).toBeUndefined();
  });

  it('lets a Retry-After header in seconds win over RetryInfo', async () => {
    const error = await catchProviderError(
      adapterFor('rate-seconds', {
        status: 429,
        headers: { 'retry-after': '9' },
        body: fixture('error-rate-limit-per-minute.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 9_000 });
  });

  it('reads a Retry-After HTTP date', async () => {
    const error = await catchProviderError(
      adapterFor('rate-date', {
        status: 429,
        headers: { 'retry-after': httpDateIn(20) },
        body: fixture('error-rate-limit-per-minute.json'),
      }).generate(REQUEST),
    );

    expect(error.outcome).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(18_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it('maps a per-day quota violation to quota_exhausted, whatever RetryInfo says', async () => {
    const error = await catchProviderError(
      adapterFor('quota-day', { status: 429, body: fixture('error-quota-per-day.json') }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'quota_exhausted', statusCode: 429, retryAfterMs: 2_000 });
  });

  it.each([
    [500, 'error-internal.json'],
    [503, 'error-unavailable.json'],
  ])('maps a %i to server_error', async (status, name) => {
    const error = await catchProviderError(
      adapterFor(`server-${status}`, { status, body: fixture(name) }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'server_error', statusCode: status });
  });

  it.each([
    ['a cut-off JSON body', '{"candidates":[{"content":{"parts":[{"text":"The cap'],
    [
      'a body without usageMetadata',
      '{"candidates":[{"content":{"parts":[{"text":"Paris."}]},"finishReason":"STOP"}]}',
    ],
  ])('maps a 200 with %s to bad_response', async (_name, body) => {
    const error = await catchProviderError(
      adapterFor(`malformed-${body.length}`, { status: 200, body }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'bad_response', statusCode: 200 });
  });

  it('maps MAX_TOKENS below the requested maxOutputTokens to bad_response (truncated)', async () => {
    const route: FixtureRoute = { status: 200, body: fixture('generate-content-max-tokens.json') };
    const belowMax = await catchProviderError(adapterFor('truncated', route).generate(REQUEST));
    const noMax = await catchProviderError(
      adapterFor('truncated', route).generate({ ...REQUEST, maxTokens: undefined }),
    );

    expect(belowMax.outcome).toBe('bad_response');
    expect(belowMax.message).toContain('truncated');
    expect(noMax.outcome).toBe('bad_response');
  });

  it('returns MAX_TOKENS at the requested maxOutputTokens (thinking included) as a normal result', async () => {
    const result = await adapterFor('at-max', {
      status: 200,
      body: fixture('generate-content-max-tokens.json'),
    }).generate({
      ...REQUEST,
      model: 'gemini-2.5-flash',
      maxTokens: 64,
    });

    expect(result).toMatchObject({
      finishReason: 'length',
      usage: { inputTokens: 12, outputTokens: 64 },
      model: 'gemini-2.5-flash',
    });
  });

  it.each([
    ['a SAFETY candidate', 'generate-content-safety.json'],
    ['a blocked prompt', 'generate-content-prompt-blocked.json'],
  ])('maps %s to content_filtered', async (_name, name) => {
    const error = await catchProviderError(
      adapterFor(`filtered-${name}`, { status: 200, body: fixture(name) }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'content_filtered', statusCode: 200 });
  });

  it('times out when the server never answers, after about timeoutMs', async () => {
    const started = performance.now();
    const error = await catchProviderError(adapterFor('hang', 'hang', 200).generate(REQUEST));

    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ outcome: 'timeout', provider: 'gemini-test' });
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(700);
  });

  it('maps a refused connection to connection_failed: the call never left', async () => {
    const port = await findClosedPort();
    const adapter = createGeminiAdapter({
      id: 'gemini-test',
      baseUrl: `http://127.0.0.1:${port}/v1beta`,
      apiKey: API_KEY,
      timeoutMs: 2_000,
    });

    const error = await catchProviderError(adapter.generate(REQUEST));

    expect(error).toMatchObject({ outcome: 'connection_failed', provider: 'gemini-test' });
    expect(error.message).not.toContain(API_KEY);
  });

  it("rethrows the caller's abort reason", async () => {
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    setTimeout(() => controller.abort(reason), 50);

    await expect(
      adapterFor('hang-abort', 'hang').generate({ ...REQUEST, signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});
