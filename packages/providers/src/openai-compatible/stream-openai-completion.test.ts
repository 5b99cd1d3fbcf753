import type { GenerateRequest, StreamEvent } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catchProviderError,
  type FixtureRoute,
  type FixtureServer,
  findClosedPort,
  startFixtureServer,
} from '../test-support/start-fixture-server.ts';
import { createOpenAICompatibleAdapter } from './create-openai-compatible-adapter.ts';

const API_KEY = 'sk-proj-test-5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d';

const REQUEST: GenerateRequest = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
  maxTokens: 64,
};

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'x-ratelimit-remaining-requests': '41',
};

const chunk = (fields: Record<string, unknown>) =>
  JSON.stringify({
    id: 'chatcmpl-stream-1',
    object: 'chat.completion.chunk',
    model: 'gpt-4o-mini-2024-07-18',
    ...fields,
  });
const delta = (content: string) =>
  chunk({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const STOP = chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
const USAGE = chunk({ choices: [], usage: { prompt_tokens: 14, completion_tokens: 7, total_tokens: 21 } });

/** A well-formed stream, each event's lines ended by `eol`. */
function sseStream(eol: string): string {
  return [delta('The capital'), delta(' of France'), delta(' is Paris.'), STOP, USAGE, '[DONE]']
    .map((data) => `data: ${data}${eol}${eol}`)
    .join('');
}

/** Cuts text into pieces of `size` characters, so line endings fall across reads. */
function cut(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const collected: StreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

const EXPECTED_EVENTS: StreamEvent[] = [
  { type: 'delta', text: 'The capital' },
  { type: 'delta', text: ' of France' },
  { type: 'delta', text: ' is Paris.' },
  {
    type: 'done',
    result: {
      content: 'The capital of France is Paris.',
      finishReason: 'stop',
      usage: { inputTokens: 14, outputTokens: 7 },
      model: 'gpt-4o-mini-2024-07-18',
      responseId: 'chatcmpl-stream-1',
      rateLimit: { requests: { remaining: 41 } },
    },
  },
];

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

// Streaming runs on node:http by default and on fetch when the adapter is given one: both must
// read the same events.
describe.each([
  { transport: 'node:http', fetch: undefined },
  { transport: 'fetch', fetch: globalThis.fetch },
])('streamed chat completions over $transport', ({ transport, fetch }) => {
  function adapterFor(scenario: string, reply: FixtureRoute, timeoutMs = 5_000) {
    return createOpenAICompatibleAdapter({
      id: 'openai-test',
      baseUrl: server.route(`${transport}-${scenario}`, reply),
      apiKey: API_KEY,
      timeoutMs,
      fetch,
    });
  }

  it('yields each delta, then the whole completion, and asks for a stream with usage', async () => {
    const adapter = adapterFor('crlf', { status: 200, headers: SSE_HEADERS, body: sseStream('\r\n') });

    expect(await collect(adapter.stream!(REQUEST))).toEqual(EXPECTED_EVENTS);
    const [sent] = server.requestsTo(`${transport}-crlf`);
    expect(sent?.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(sent?.body ?? '')).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('passes tool-call pieces through and returns the whole calls', async () => {
    const toolDelta = (call: Record<string, unknown>) =>
      chunk({ choices: [{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }] });
    const body = [
      toolDelta({
        index: 0,
        id: 'call_abc',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      }),
      toolDelta({ index: 0, function: { arguments: '{"city":' } }),
      toolDelta({ index: 0, function: { arguments: '"Paris"}' } }),
      chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      USAGE,
      '[DONE]',
    ]
      .map((data) => `data: ${data}\n\n`)
      .join('');
    const events = await collect(
      adapterFor('tool-calls', { status: 200, headers: SSE_HEADERS, body }).stream!(REQUEST),
    );

    expect(events.slice(0, 3)).toEqual([
      { type: 'tool_call_delta', index: 0, id: 'call_abc', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, arguments: '{"city":' },
      { type: 'tool_call_delta', index: 0, arguments: '"Paris"}' },
    ]);
    expect(events[3]).toMatchObject({
      type: 'done',
      result: {
        content: '',
        toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        finishReason: 'tool_calls',
      },
    });
  });

  it('reads a stream whose lines end with a lone CR, wherever the reads cut it', async () => {
    const adapter = adapterFor('lone-cr', {
      status: 200,
      headers: SSE_HEADERS,
      chunks: cut(sseStream('\r'), 37),
    });

    expect(await collect(adapter.stream!(REQUEST))).toEqual(EXPECTED_EVENTS);
  });

  it('joins the data lines of one event with a newline before parsing them', async () => {
    // One chunk's JSON split over two `data:` lines: joined with "\n" it is valid JSON again.
    const first = delta('The capital');
    const [head, tail] = [
      first.slice(0, first.indexOf(',"object"') + 1),
      first.slice(first.indexOf(',"object"') + 1),
    ];
    const body = [
      `data: ${head}\ndata: ${tail}\n\n`,
      ': a comment, as OpenRouter sends while it waits\n\n',
      `event: message\nid: 2\ndata: ${delta(' of France')}\n\n`,
      `data: ${delta(' is Paris.')}\n\n`,
      `data: ${STOP}\n\ndata: ${USAGE}\n\ndata: [DONE]\n\n`,
    ].join('');
    const adapter = adapterFor('multi-line', { status: 200, headers: SSE_HEADERS, body });

    expect(await collect(adapter.stream!(REQUEST))).toEqual(EXPECTED_EVENTS);
  });

  it('maps an error answer to the same error as a non-streamed call', async () => {
    const body = JSON.stringify({
      error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
    });
    const adapter = adapterFor('rate-limited', { status: 429, headers: { 'retry-after': '7' }, body });

    const error = await catchProviderError(collect(adapter.stream!(REQUEST)));

    expect(error).toMatchObject({ outcome: 'rate_limited', statusCode: 429, retryAfterMs: 7_000 });
    expect(error.responseBody).toBe(body);
  });

  it('maps a stream that ends before [DONE] to bad_response, after the deltas it did send', async () => {
    const body = `data: ${delta('The capital')}\n\ndata: ${delta(' of')}\n\n`;
    const adapter = adapterFor('cut-short', { status: 200, headers: SSE_HEADERS, body });
    const seen: StreamEvent[] = [];

    const error = await catchProviderError(
      (async () => {
        for await (const event of adapter.stream!(REQUEST)) seen.push(event);
      })(),
    );

    expect(error).toMatchObject({
      outcome: 'bad_response',
      message: 'openai-test: the stream ended before [DONE]',
    });
    expect(seen).toEqual([
      { type: 'delta', text: 'The capital' },
      { type: 'delta', text: ' of' },
    ]);
  });

  it('maps a chunk that is not JSON to bad_response', async () => {
    const body = `data: {"choices": [\n\ndata: [DONE]\n\n`;
    const adapter = adapterFor('not-json', { status: 200, headers: SSE_HEADERS, body });

    const error = await catchProviderError(collect(adapter.stream!(REQUEST)));

    expect(error).toMatchObject({
      outcome: 'bad_response',
      message: 'openai-test: a stream chunk is not JSON',
    });
  });

  it('times out when the server never answers', async () => {
    const adapter = adapterFor('hang', 'hang', 150);

    const error = await catchProviderError(collect(adapter.stream!(REQUEST)));

    expect(error).toMatchObject({
      outcome: 'timeout',
      message: 'openai-test: stream not finished within 150 ms',
    });
  });

  it('maps a refused connection to connection_failed, without the key', async () => {
    const port = await findClosedPort();
    const adapter = createOpenAICompatibleAdapter({
      id: 'openai-test',
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: API_KEY,
      timeoutMs: 2_000,
      fetch,
    });

    const error = await catchProviderError(collect(adapter.stream!(REQUEST)));

    expect(error).toMatchObject({ outcome: 'connection_failed', provider: 'openai-test' });
    expect(error.message).not.toContain(API_KEY);
  });

  it('times out a stream that stalls after its first delta', async () => {
    const stalled = {
      status: 200,
      headers: SSE_HEADERS,
      chunks: [`data: ${delta('The')}\n\n`],
      keepOpen: true,
    };
    const adapter = adapterFor('stall', stalled, 200);
    const seen: StreamEvent[] = [];

    const error = await catchProviderError(
      (async () => {
        for await (const event of adapter.stream!(REQUEST)) seen.push(event);
      })(),
    );

    expect(error).toMatchObject({
      outcome: 'timeout',
      message: 'openai-test: stream not finished within 200 ms',
    });
    expect(seen).toEqual([{ type: 'delta', text: 'The' }]);
  });

  it("rethrows the caller's abort reason in the middle of a stream", async () => {
    const stalled = {
      status: 200,
      headers: SSE_HEADERS,
      chunks: [`data: ${delta('The')}\n\n`],
      keepOpen: true,
    };
    const adapter = adapterFor('abort', stalled);
    const controller = new AbortController();
    const reason = new Error('the client went away');

    const read = (async () => {
      for await (const event of adapter.stream!({ ...REQUEST, signal: controller.signal })) {
        if (event.type === 'delta') controller.abort(reason);
      }
    })();

    await expect(read).rejects.toBe(reason);
  });
});

it('maps an event that never ends to bad_response instead of buffering it without bound', async () => {
  const endless = `data: ${'x'.repeat(1024 * 1024)}`;
  const adapter = createOpenAICompatibleAdapter({
    id: 'openai-test',
    baseUrl: server.route('endless-event', {
      status: 200,
      headers: SSE_HEADERS,
      chunks: Array(5).fill(endless),
    }),
    timeoutMs: 5_000,
  });

  const error = await catchProviderError(collect(adapter.stream!(REQUEST)));

  expect(error).toMatchObject({
    outcome: 'bad_response',
    message: expect.stringMatching(/stream event is over/),
  });
});
