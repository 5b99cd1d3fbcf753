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
import { createAnthropicAdapter } from './create-anthropic-adapter.ts';

const API_KEY = 'sk-ant-api03-test-Zq9Xv8Wu7Ts6Rq5Po4Nm3Lk2Jh1Gf0';
const fixture = (name: string) => readFixture(import.meta.url, name);

const REQUEST: GenerateRequest = {
  model: 'claude-sonnet-4-20250514',
  messages: [
    { role: 'system', content: 'Answer in one sentence.' },
    { role: 'user', content: 'What is the capital of France?' },
    { role: 'assistant', content: 'Let me think.' },
    { role: 'user', content: 'Just the city, please.' },
  ],
  maxTokens: 256,
  temperature: 0.2,
  stop: ['\n\nHuman:'],
};

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, reply: FixtureRoute, timeoutMs = 5_000) {
  return createAnthropicAdapter({
    id: 'anthropic-test',
    baseUrl: `${server.route(scenario, reply)}/`,
    apiKey: API_KEY,
    timeoutMs,
    headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' },
  });
}

describe('createAnthropicAdapter', () => {
  it('returns the text blocks, usage and rate limits, and sends system as a top-level field', async () => {
    const adapter = adapterFor('ok', {
      status: 200,
      headers: {
        'request-id': 'req_011CSLsW7mFqvHHnzrKdKjAE',
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': new Date(Date.now() + 1_200).toISOString(),
        'anthropic-ratelimit-input-tokens-limit': '30000',
        'anthropic-ratelimit-input-tokens-remaining': '29000',
        'anthropic-ratelimit-input-tokens-reset': new Date(Date.now() + 2_000).toISOString(),
        'anthropic-ratelimit-output-tokens-limit': '8000',
        'anthropic-ratelimit-output-tokens-remaining': '2000',
        'anthropic-ratelimit-output-tokens-reset': new Date(Date.now() + 45_000).toISOString(),
      },
      body: fixture('message.json'),
    });

    const result = await adapter.generate(REQUEST);

    expect(adapter).toMatchObject({ id: 'anthropic-test', kind: 'anthropic' });
    expect(result).toMatchObject({
      content: 'The capital of France is Paris.',
      finishReason: 'stop',
      usage: { inputTokens: 21, outputTokens: 38 },
      model: 'claude-sonnet-4-20250514',
      responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      rateLimit: { requests: { limit: 50, remaining: 49 }, tokens: { limit: 8000, remaining: 2000 } },
    });
    expect(result.rateLimit?.tokens?.resetMs).toBeGreaterThan(40_000);
    const [sent] = server.requestsTo('ok');
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe(API_KEY);
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers['anthropic-beta']).toBe('token-efficient-tools-2025-02-19');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      model: 'claude-sonnet-4-20250514',
      system: 'Answer in one sentence.',
      messages: [
        { role: 'user', content: 'What is the capital of France?' },
        { role: 'assistant', content: 'Let me think.' },
        { role: 'user', content: 'Just the city, please.' },
      ],
      max_tokens: 256,
      temperature: 0.2,
      stop_sequences: ['\n\nHuman:'],
    });
  });

  it('defaults max_tokens to 4096 and omits system when there is none', async () => {
    await adapterFor('defaults', { status: 200, body: fixture('message.json') }).generate({
      model: 'claude-3-5-haiku-20241022',
      messages: [{ role: 'user', content: 'Hi' }],
    });

    const body = JSON.parse(server.requestsTo('defaults')[0]?.body ?? '');
    expect(body).toEqual({
      model: 'claude-3-5-haiku-20241022',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 4096,
    });
  });

  it('maps a 400 invalid_request_error to invalid_request', async () => {
    const body = fixture('error-invalid-request.json');
    const error = await catchProviderError(adapterFor('bad-param', { status: 400, body }).generate(REQUEST));

    expect(error).toMatchObject({ outcome: 'invalid_request', statusCode: 400, responseBody: body });
    expect(error.message).toContain('maximum allowed number of output tokens');
  });

  it('maps a 401 to authentication_failed without leaking the key', async () => {
    const error = await catchProviderError(
      adapterFor('unauthorized', { status: 401, body: fixture('error-authentication.json') }).generate(
        REQUEST,
      ),
    );

    expect(error).toMatchObject({ outcome: 'authentication_failed', statusCode: 401 });
    expect(error.message).toContain('invalid x-api-key');
    expect(error.message).not.toContain(API_KEY);
  });

  it('maps a 404 unknown model to invalid_request', async () => {
    const error = await catchProviderError(
      adapterFor('unknown-model', { status: 404, body: fixture('error-not-found.json') }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'invalid_request', statusCode: 404 });
  });

  it.each([
    [400, 'error-prompt-too-long.json'],
    [413, 'error-request-too-large.json'],
  ])('maps a %i saying the prompt is too long to context_length_exceeded', async (status, name) => {
    const error = await catchProviderError(
      adapterFor(`context-${status}`, { status, body: fixture(name) }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'context_length_exceeded', statusCode: status });
  });

  it('maps a 429 to rate_limited with Retry-After in seconds', async () => {
    const error = await catchProviderError(
      adapterFor('rate-seconds', {
        status: 429,
        headers: {
          'retry-after': '12',
          'anthropic-ratelimit-input-tokens-limit': '50000',
          'anthropic-ratelimit-input-tokens-remaining': '0',
          'anthropic-ratelimit-input-tokens-reset': new Date(Date.now() + 12_000).toISOString(),
        },
        body: fixture('error-rate-limit.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'rate_limited', statusCode: 429, retryAfterMs: 12_000 });
    expect(error.rateLimit?.tokens).toMatchObject({ limit: 50000, remaining: 0 });
  });

  it('maps a 429 with Retry-After as an HTTP date', async () => {
    const error = await catchProviderError(
      adapterFor('rate-date', {
        status: 429,
        headers: { 'retry-after': httpDateIn(45) },
        body: fixture('error-rate-limit.json'),
      }).generate(REQUEST),
    );

    expect(error.outcome).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(43_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(45_000);
  });

  it('maps a too-low credit balance to quota_exhausted', async () => {
    const error = await catchProviderError(
      adapterFor('credit', { status: 400, body: fixture('error-credit-balance.json') }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'quota_exhausted', statusCode: 400 });
  });

  it.each([
    [500, 'error-api.json'],
    [503, 'error-overloaded.json'],
    [529, 'error-overloaded.json'],
  ])('maps a %i to server_error', async (status, name) => {
    const error = await catchProviderError(
      adapterFor(`server-${status}`, { status, body: fixture(name) }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'server_error', statusCode: status });
  });

  it.each([
    ['a cut-off JSON body', '{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"mess'],
    ['an HTML page', '<html><body>Service Unavailable</body></html>'],
    [
      'a message without usage',
      '{"id":"msg_1","type":"message","role":"assistant","content":[],"stop_reason":"end_turn"}',
    ],
  ])('maps a 200 with %s to bad_response', async (_name, body) => {
    const error = await catchProviderError(
      adapterFor(`malformed-${body.length}`, { status: 200, body }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'bad_response', statusCode: 200 });
  });

  it('maps a max_tokens stop below the requested max_tokens to bad_response (truncated)', async () => {
    const route: FixtureRoute = { status: 200, body: fixture('message-max-tokens.json') };
    const belowMax = await catchProviderError(adapterFor('truncated', route).generate(REQUEST));
    const noMax = await catchProviderError(
      adapterFor('truncated', route).generate({ ...REQUEST, maxTokens: undefined }),
    );

    expect(belowMax.outcome).toBe('bad_response');
    expect(belowMax.message).toContain('truncated');
    expect(noMax.outcome).toBe('bad_response');
  });

  it('returns a max_tokens stop at the requested max_tokens as a normal result', async () => {
    const result = await adapterFor('at-max', {
      status: 200,
      body: fixture('message-max-tokens.json'),
    }).generate({
      ...REQUEST,
      maxTokens: 16,
    });

    expect(result).toMatchObject({ finishReason: 'length', usage: { inputTokens: 21, outputTokens: 16 } });
  });

  it('maps a refusal to content_filtered', async () => {
    const error = await catchProviderError(
      adapterFor('refusal', { status: 200, body: fixture('message-refusal.json') }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'content_filtered', statusCode: 200 });
  });

  it('times out when the server never answers, after about timeoutMs', async () => {
    const started = performance.now();
    const error = await catchProviderError(adapterFor('hang', 'hang', 200).generate(REQUEST));

    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ outcome: 'timeout', provider: 'anthropic-test' });
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(700);
  });

  it('maps a refused connection to connection_failed: the call never left', async () => {
    const port = await findClosedPort();
    const adapter = createAnthropicAdapter({
      id: 'anthropic-test',
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      timeoutMs: 2_000,
    });

    const error = await catchProviderError(adapter.generate(REQUEST));

    expect(error).toMatchObject({ outcome: 'connection_failed', provider: 'anthropic-test' });
  });

  it("rethrows the caller's abort reason", async () => {
    const controller = new AbortController();
    const reason = new DOMException('job cancelled', 'AbortError');
    setTimeout(() => controller.abort(reason), 50);

    await expect(
      adapterFor('hang-abort', 'hang').generate({ ...REQUEST, signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});
