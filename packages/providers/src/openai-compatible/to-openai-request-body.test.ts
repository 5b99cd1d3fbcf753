import type { GenerateRequest } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, readFixture, startFixtureServer } from '../test-support/start-fixture-server.ts';
import { createOpenAICompatibleAdapter } from './create-openai-compatible-adapter.ts';

const fixture = (name: string) => readFixture(import.meta.url, name);
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
  strict: true,
};

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, body: string) {
  return createOpenAICompatibleAdapter({
    id: 'openai-test',
    baseUrl: server.route(scenario, { status: 200, body }),
    apiKey: 'sk-test-0123456789abcdef',
    timeoutMs: 5_000,
  });
}

const sentBody = (scenario: string) => JSON.parse(server.requestsTo(scenario)[0]?.body ?? '');

describe('the Chat Completions request and answer', () => {
  it('sends tools, a named tool choice and parallel_tool_calls, and reads the tool calls back', async () => {
    const request: GenerateRequest = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      toolChoice: { name: 'get_weather' },
      parallelToolCalls: false,
    };
    const result = await adapterFor('tools', fixture('chat-completion-tool-calls.json')).generate(request);

    expect(result).toMatchObject({
      content: '',
      toolCalls: [
        {
          id: 'call_Qe4mXk2tL9pR7sVb1nHc3wZa',
          name: 'get_weather',
          arguments: '{"city":"Paris","unit":"celsius"}',
        },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 81, outputTokens: 19 },
    });
    expect(sentBody('tools')).toMatchObject({
      tools: [{ type: 'function', function: WEATHER_TOOL }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
  });

  it('sends the tool round trip: assistant tool_calls and tool messages with tool_call_id', async () => {
    await adapterFor('round-trip', fixture('chat-completion.json')).generate({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        },
        { role: 'tool', content: '{"celsius":21}', toolCallId: 'call_1', name: 'get_weather' },
      ],
      tools: [WEATHER_TOOL],
      toolChoice: 'auto',
    });
    expect(sentBody('round-trip').messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', content: '{"celsius":21}', tool_call_id: 'call_1' },
    ]);
    expect(sentBody('round-trip').tool_choice).toBe('auto');
  });

  it('sends image parts as image_url parts, with their detail', async () => {
    await adapterFor('image', fixture('chat-completion.json')).generate({
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these images?' },
            { type: 'image', url: PIXEL, detail: 'low' },
            { type: 'image', url: 'https://example.com/cat.jpg' },
          ],
        },
      ],
    });
    expect(sentBody('image').messages[0].content).toEqual([
      { type: 'text', text: 'What is in these images?' },
      { type: 'image_url', image_url: { url: PIXEL, detail: 'low' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('sends a JSON schema response format and every sampling field', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    await adapterFor('sampling', fixture('chat-completion.json')).generate({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Name a city.' }],
      responseFormat: { type: 'json_schema', name: 'city', schema, strict: true },
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      topP: 0.9,
      stop: ['END'],
      user: 'user-42',
      logprobs: true,
      topLogprobs: 3,
    });
    expect(sentBody('sampling')).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } },
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      top_p: 0.9,
      stop: ['END'],
      user: 'user-42',
      logprobs: true,
      top_logprobs: 3,
    });
  });
});
