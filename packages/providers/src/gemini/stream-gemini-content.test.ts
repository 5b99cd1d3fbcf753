import type { GenerateRequest, StreamEvent } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catchProviderError,
  type FixtureServer,
  readFixture,
  startFixtureServer,
} from '../test-support/start-fixture-server.ts';
import { createGeminiAdapter } from './create-gemini-adapter.ts';

const SSE_HEADERS = { 'content-type': 'text/event-stream' };
const REQUEST: GenerateRequest = {
  model: 'gemini-2.0-flash',
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
};
const STREAM = readFixture(import.meta.url, 'stream-function-call.sse');

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, status: number, body: string) {
  return createGeminiAdapter({
    id: 'gemini-test',
    baseUrl: server.route(scenario, { status, headers: SSE_HEADERS, body }),
    apiKey: 'AIzaSy-test-0123456789abcdef',
    timeoutMs: 5_000,
  });
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const collected: StreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

describe('streamed generateContent answers', () => {
  it('calls streamGenerateContent with alt=sse and yields text and whole function calls', async () => {
    const events = await collect(adapterFor('ok', 200, STREAM).stream!(REQUEST));

    expect(events).toEqual([
      { type: 'delta', text: 'Checking the' },
      { type: 'delta', text: ' weather. ' },
      { type: 'tool_call_delta', index: 0, id: 'call_0', name: 'get_weather', arguments: '{"city":"Paris"}' },
      {
        type: 'done',
        result: {
          content: 'Checking the weather. ',
          toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: '{"city":"Paris"}' }],
          finishReason: 'tool_calls',
          usage: { inputTokens: 64, outputTokens: 14 },
          model: 'gemini-2.0-flash',
          responseId: '9nHOaLzQMcGGz7IP8sWd4AE',
        },
      },
    ]);
    expect(server.requestsTo('ok')[0]?.path).toBe('/models/gemini-2.0-flash:streamGenerateContent?alt=sse');
  });

  it('throws bad_response for a stream that ends before a finish reason', async () => {
    const cut = STREAM.slice(0, STREAM.indexOf('\r\n\r\n') + 4);
    const error = await catchProviderError(collect(adapterFor('cut', 200, cut).stream!(REQUEST)));
    expect(error).toMatchObject({ outcome: 'bad_response' });
    expect(error.message).toContain('finish reason');
  });

  it('maps an error status to the same error as a non-streamed call', async () => {
    const body = readFixture(import.meta.url, 'error-rate-limit-per-minute.json');
    const error = await catchProviderError(collect(adapterFor('limited', 429, body).stream!(REQUEST)));
    expect(error).toMatchObject({ outcome: 'rate_limited', statusCode: 429 });
  });
});
