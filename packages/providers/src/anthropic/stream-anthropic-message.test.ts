import type { GenerateRequest, StreamEvent } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catchProviderError,
  type FixtureServer,
  readFixture,
  startFixtureServer,
} from '../test-support/start-fixture-server.ts';
import { createAnthropicAdapter } from './create-anthropic-adapter.ts';

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8' };
const REQUEST: GenerateRequest = {
  model: 'claude-sonnet-4-20250514',
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  maxTokens: 1024,
  tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
};
const TOOL_STREAM = readFixture(import.meta.url, 'stream-tool-use.sse');

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, reply: { status: number; body?: string; chunks?: string[] }) {
  return createAnthropicAdapter({
    id: 'anthropic-test',
    baseUrl: server.route(scenario, { headers: SSE_HEADERS, ...reply }),
    apiKey: 'sk-ant-test-0123456789abcdef',
    timeoutMs: 5_000,
  });
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const collected: StreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

describe('streamed Messages API answers', () => {
  it('yields text deltas and tool_use pieces, then the whole message', async () => {
    const events = await collect(adapterFor('tool-use', { status: 200, body: TOOL_STREAM }).stream!(REQUEST));

    expect(events.slice(0, -1)).toEqual([
      { type: 'delta', text: 'Let me check' },
      { type: 'delta', text: ' the weather.' },
      { type: 'tool_call_delta', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, arguments: '{"city": "Par' },
      { type: 'tool_call_delta', index: 0, arguments: 'is"}' },
    ]);
    expect(events.at(-1)).toEqual({
      type: 'done',
      result: {
        content: 'Let me check the weather.',
        toolCalls: [
          { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"city":"Paris"}' },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 472, outputTokens: 89 },
        model: 'claude-sonnet-4-20250514',
        responseId: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      },
    });
    expect(JSON.parse(server.requestsTo('tool-use')[0]?.body ?? '')).toMatchObject({ stream: true });
  });

  it('throws the mapped error for an error event in the stream', async () => {
    const body = [
      TOOL_STREAM.slice(0, TOOL_STREAM.indexOf('event: content_block_stop')),
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    ].join('');
    const error = await catchProviderError(
      collect(adapterFor('error-event', { status: 200, body }).stream!(REQUEST)),
    );
    expect(error).toMatchObject({ outcome: 'server_error', provider: 'anthropic-test' });
    expect(error.message).toContain('Overloaded');
  });

  it('throws bad_response for a stream that ends before message_stop', async () => {
    const body = TOOL_STREAM.slice(0, TOOL_STREAM.indexOf('event: message_delta'));
    const error = await catchProviderError(
      collect(adapterFor('cut', { status: 200, body }).stream!(REQUEST)),
    );
    expect(error).toMatchObject({ outcome: 'bad_response' });
    expect(error.message).toContain('message_stop');
  });

  it('maps an error status to the same error as a non-streamed call', async () => {
    const body = readFixture(import.meta.url, 'error-rate-limit.json');
    const error = await catchProviderError(
      collect(adapterFor('rate-limited', { status: 429, body }).stream!(REQUEST)),
    );
    expect(error).toMatchObject({ outcome: 'rate_limited', statusCode: 429 });
  });
});
