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
import { createOpenAICompatibleAdapter } from './create-openai-compatible-adapter.ts';

const API_KEY = 'sk-proj-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const fixture = (name: string) => readFixture(import.meta.url, name);

const REQUEST: GenerateRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Answer in one sentence.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  maxTokens: 64,
  temperature: 0.2,
};

const RATE_LIMIT_HEADERS = {
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '200000',
  'x-ratelimit-remaining-tokens': '199950',
  'x-ratelimit-reset-tokens': '15ms',
};

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(
  scenario: string,
  reply: FixtureRoute,
  options: { apiKey?: string; timeoutMs?: number } = {},
) {
  return createOpenAICompatibleAdapter({
    id: 'openai-test',
    baseUrl: `${server.route(scenario, reply)}/`,
    apiKey: 'apiKey' in options ? options.apiKey : API_KEY,
    timeoutMs: options.timeoutMs ?? 5_000,
    headers: { 'x-title': 'switchyard-tests' },
  });
}

describe('createOpenAICompatibleAdapter', () => {
  it('returns content, finish reason, usage and rate limits, and sends the request as Chat Completions', async () => {
    const adapter = adapterFor('ok', {
      status: 200,
      headers: RATE_LIMIT_HEADERS,
      body: fixture('chat-completion.json'),
    });

    const result = await adapter.generate(REQUEST);

    expect(adapter).toMatchObject({ id: 'openai-test', kind: 'openai' });
    expect(result).toEqual({
      content: 'The capital of France is Paris.',
      finishReason: 'stop',
      usage: { inputTokens: 24, outputTokens: 8, cachedInputTokens: 0, reasoningTokens: 0 },
      model: 'gpt-4o-mini-2024-07-18',
      responseId: 'chatcmpl-BZ4kq7TnVw0mF3xYpL2sRdJc8HgEu',
      rateLimit: {
        requests: { limit: 10000, remaining: 9999, resetMs: 6 },
        tokens: { limit: 200000, remaining: 199950, resetMs: 15 },
      },
    });
    const [sent] = server.requestsTo('ok');
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers['x-title']).toBe('switchyard-tests');
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Answer in one sentence.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
      max_tokens: 64,
      temperature: 0.2,
    });
  });

  it('sends top_p and stop when given, and no Authorization header without a key', async () => {
    const adapter = adapterFor(
      'no-key',
      { status: 200, body: fixture('chat-completion.json') },
      { apiKey: undefined },
    );

    const result = await adapter.generate({ ...REQUEST, topP: 0.9, stop: ['\n\n'] });

    expect(result.rateLimit).toBeUndefined();
    const [sent] = server.requestsTo('no-key');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(JSON.parse(sent?.body ?? '')).toMatchObject({ top_p: 0.9, stop: ['\n\n'] });
  });

  it('maps a 400 to invalid_request with the status and the raw body', async () => {
    const body = fixture('error-invalid-temperature.json');
    const error = await catchProviderError(
      adapterFor('bad-param', { status: 400, body }).generate({ ...REQUEST, temperature: 3.5 }),
    );

    expect(error).toMatchObject({ outcome: 'invalid_request', provider: 'openai-test', statusCode: 400 });
    expect(error.message).toContain("Invalid 'temperature'");
    expect(error.responseBody).toBe(body);
  });

  it('maps a 401 to authentication_failed without leaking the key', async () => {
    const echoed = JSON.stringify({
      error: {
        message: `Incorrect API key provided: ${API_KEY}.`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    });
    const masked = await catchProviderError(
      adapterFor('unauthorized', { status: 401, body: fixture('error-invalid-api-key.json') }).generate(
        REQUEST,
      ),
    );
    const echoedError = await catchProviderError(
      adapterFor('unauthorized-echo', { status: 401, body: echoed }).generate(REQUEST),
    );

    expect(masked).toMatchObject({ outcome: 'authentication_failed', statusCode: 401 });
    expect(echoedError.outcome).toBe('authentication_failed');
    expect(echoedError.message).not.toContain(API_KEY);
    expect(echoedError.responseBody).not.toContain(API_KEY);
    expect(JSON.stringify(echoedError.toJSON())).not.toContain(API_KEY);
  });

  it('maps a 404 unknown model to invalid_request', async () => {
    const error = await catchProviderError(
      adapterFor('unknown-model', { status: 404, body: fixture('error-model-not-found.json') }).generate({
        ...REQUEST,
        model: 'gpt-4o-mini-2099-01-01',
      }),
    );

    expect(error).toMatchObject({ outcome: 'invalid_request', statusCode: 404 });
    expect(error.message).toContain('model_not_found');
  });

  it('maps context_length_exceeded, and the vLLM wording of it, to context_length_exceeded', async () => {
    const openai = await catchProviderError(
      adapterFor('context', { status: 400, body: fixture('error-context-length-exceeded.json') }).generate(
        REQUEST,
      ),
    );
    const vllmBody = JSON.stringify({
      object: 'error',
      message:
        "This model's maximum context length is 4096 tokens. However, you requested 4160 tokens (4096 in the messages, 64 in the completion). Please reduce the length of the messages or completion.",
      type: 'BadRequestError',
      param: null,
      code: 400,
    });
    const vllm = await catchProviderError(
      adapterFor('context-vllm', { status: 400, body: vllmBody }).generate(REQUEST),
    );

    expect(openai).toMatchObject({ outcome: 'context_length_exceeded', statusCode: 400 });
    expect(vllm).toMatchObject({ outcome: 'context_length_exceeded', statusCode: 400 });
  });

  it('maps a 429 to rate_limited with Retry-After in seconds', async () => {
    const error = await catchProviderError(
      adapterFor('rate-seconds', {
        status: 429,
        headers: {
          'retry-after': '20',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '20s',
        },
        body: fixture('error-rate-limit-exceeded.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'rate_limited', statusCode: 429, retryAfterMs: 20_000 });
    expect(error.rateLimit).toEqual({ retryAfterMs: 20_000, requests: { remaining: 0, resetMs: 20_000 } });
  });

  it('maps a 429 with Retry-After as an HTTP date', async () => {
    const error = await catchProviderError(
      adapterFor('rate-date', {
        status: 429,
        headers: { 'retry-after': httpDateIn(30) },
        body: fixture('error-rate-limit-exceeded.json'),
      }).generate(REQUEST),
    );

    expect(error.outcome).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(28_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('takes the wait from the exhausted quota reset when a 429 has no Retry-After', async () => {
    const error = await catchProviderError(
      adapterFor('rate-reset', {
        status: 429,
        headers: {
          'x-ratelimit-limit-tokens': '6000',
          'x-ratelimit-remaining-tokens': '0',
          'x-ratelimit-reset-tokens': '7.66s',
          'x-ratelimit-remaining-requests': '14370',
          'x-ratelimit-reset-requests': '2m59.56s',
        },
        body: fixture('error-rate-limit-exceeded.json'),
      }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'rate_limited', retryAfterMs: 7_660 });
  });

  it('maps insufficient_quota and per-day caps to quota_exhausted', async () => {
    const openai = await catchProviderError(
      adapterFor('quota', { status: 429, body: fixture('error-insufficient-quota.json') }).generate(REQUEST),
    );
    const groq = await catchProviderError(
      adapterFor('groq-tpd', {
        status: 429,
        headers: { 'retry-after': '832' },
        body: fixture('groq-error-tokens-per-day.json'),
      }).generate(REQUEST),
    );

    expect(openai).toMatchObject({ outcome: 'quota_exhausted', statusCode: 429 });
    expect(groq).toMatchObject({ outcome: 'quota_exhausted', retryAfterMs: 832_000 });
  });

  it.each([
    [500, 'error-server-error.json'],
    [503, 'error-engine-overloaded.json'],
    [502, 'bad-gateway.html'],
  ])('maps a %i to server_error', async (status, name) => {
    const error = await catchProviderError(
      adapterFor(`server-${status}`, { status, body: fixture(name) }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'server_error', statusCode: status, responseBody: fixture(name) });
  });

  it('keeps only the first 2 KB of a large error body', async () => {
    const error = await catchProviderError(
      adapterFor('server-huge', { status: 500, body: 'x'.repeat(10_000) }).generate(REQUEST),
    );

    expect(error.outcome).toBe('server_error');
    expect(error.responseBody).toHaveLength(2_048);
  });

  it.each([
    ['a cut-off JSON body', '{"id":"chatcmpl-BZ4kq7TnVw0mF3xYpL2sRdJc8HgEu","object":"chat.comp'],
    ['an empty body', ''],
    ['a body without choices', '{"id":"chatcmpl-1","object":"chat.completion","choices":[],"usage":{}}'],
    [
      'a body without usage',
      '{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}]}',
    ],
  ])('maps a 200 with %s to bad_response', async (_name, body) => {
    const error = await catchProviderError(
      adapterFor(`malformed-${body.length}`, { status: 200, body }).generate(REQUEST),
    );

    expect(error).toMatchObject({ outcome: 'bad_response', statusCode: 200 });
  });

  it('maps a length stop below the requested max_tokens to bad_response (truncated)', async () => {
    const route: FixtureRoute = { status: 200, body: fixture('chat-completion-length.json') };
    const belowMax = await catchProviderError(
      adapterFor('truncated', route).generate({ ...REQUEST, maxTokens: 100 }),
    );
    const noMax = await catchProviderError(
      adapterFor('truncated', route).generate({ ...REQUEST, maxTokens: undefined }),
    );

    expect(belowMax.outcome).toBe('bad_response');
    expect(belowMax.message).toContain('truncated');
    expect(noMax.outcome).toBe('bad_response');
  });

  it('returns a length stop at the requested max_tokens as a normal result', async () => {
    const result = await adapterFor('at-max', {
      status: 200,
      body: fixture('chat-completion-length.json'),
    }).generate({
      ...REQUEST,
      maxTokens: 16,
    });

    expect(result).toMatchObject({ finishReason: 'length', usage: { inputTokens: 24, outputTokens: 16 } });
    expect(result.content).toMatch(/^Paris, the capital of France/);
  });

  it('maps a content_filter stop with no content to content_filtered', async () => {
    const error = await catchProviderError(
      adapterFor('filtered', { status: 200, body: fixture('chat-completion-content-filter.json') }).generate(
        REQUEST,
      ),
    );

    expect(error).toMatchObject({ outcome: 'content_filtered', statusCode: 200 });
  });

  it('times out when the server never answers, after about timeoutMs', async () => {
    const adapter = adapterFor('hang', 'hang', { timeoutMs: 200 });
    const started = performance.now();

    const error = await catchProviderError(adapter.generate(REQUEST));

    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ outcome: 'timeout', provider: 'openai-test' });
    expect(error.statusCode).toBeUndefined();
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(700);
  });

  it('lets the request timeoutMs override the adapter timeout', async () => {
    const started = performance.now();
    const error = await catchProviderError(
      adapterFor('hang-override', 'hang', { timeoutMs: 60_000 }).generate({ ...REQUEST, timeoutMs: 150 }),
    );

    expect(error.outcome).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(650);
  });

  it('maps a refused connection to connection_failed: the call never left', async () => {
    const port = await findClosedPort();
    const adapter = createOpenAICompatibleAdapter({
      id: 'openai-test',
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: API_KEY,
      timeoutMs: 2_000,
    });

    const error = await catchProviderError(adapter.generate(REQUEST));

    expect(error).toMatchObject({ outcome: 'connection_failed', provider: 'openai-test' });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain(API_KEY);
  });

  it("rethrows the caller's abort reason, promptly", async () => {
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();

    await expect(
      adapterFor('hang-abort', 'hang', { timeoutMs: 5_000 }).generate({
        ...REQUEST,
        signal: controller.signal,
      }),
    ).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('does not call the provider when the signal is already aborted', async () => {
    const reason = new Error('deadline passed');

    await expect(
      adapterFor('pre-aborted', { status: 200, body: fixture('chat-completion.json') }).generate({
        ...REQUEST,
        signal: AbortSignal.abort(reason),
      }),
    ).rejects.toBe(reason);
    expect(server.requestsTo('pre-aborted')).toHaveLength(0);
  });
});
