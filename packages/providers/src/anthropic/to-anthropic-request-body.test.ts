import type { GenerateRequest } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, readFixture, startFixtureServer } from '../test-support/start-fixture-server.ts';
import { createAnthropicAdapter } from './create-anthropic-adapter.ts';

const fixture = (name: string) => readFixture(import.meta.url, name);
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const CITY_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, country: { type: 'string' } },
  required: ['city', 'country'],
};

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, body: string) {
  return createAnthropicAdapter({
    id: 'anthropic-test',
    baseUrl: server.route(scenario, { status: 200, body }),
    apiKey: 'sk-ant-test-0123456789abcdef',
    timeoutMs: 5_000,
  });
}

const sentBody = (scenario: string) => JSON.parse(server.requestsTo(scenario)[0]?.body ?? '');

describe('the Messages API request and answer', () => {
  it('sends tools and tool_choice, and reads tool_use blocks back as tool calls', async () => {
    const request: GenerateRequest = {
      model: 'claude-sonnet-4-20250514',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      toolChoice: 'required',
      parallelToolCalls: false,
      user: 'user-42',
      seed: 7,
    };
    const result = await adapterFor('tools', fixture('message-tool-use.json')).generate(request);

    expect(result).toMatchObject({
      content: "I'll check the weather in Paris.",
      toolCalls: [
        {
          id: 'toolu_01A09q90qw90lq917835lq9',
          name: 'get_weather',
          arguments: '{"city":"Paris","unit":"celsius"}',
        },
      ],
      finishReason: 'tool_calls',
    });
    const sent = sentBody('tools');
    expect(sent.tools).toEqual([
      { name: 'get_weather', description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters },
    ]);
    expect(sent.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(sent.metadata).toEqual({ user_id: 'user-42' });
    // Anthropic has no seed: it is not sent (CARRIED_FIELDS says so).
    expect(sent.seed).toBeUndefined();
  });

  it.each([
    ['none', 'none', { type: 'none' }],
    ['auto', 'auto', { type: 'auto' }],
    ['named', { name: 'get_weather' }, { type: 'tool', name: 'get_weather' }],
  ] as const)('maps the %s tool choice', async (label, choice, expected) => {
    const scenario = `choice-${label}`;
    await adapterFor(scenario, fixture('message.json')).generate({
      model: 'claude-sonnet-4-20250514',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [WEATHER_TOOL],
      toolChoice: choice,
    });
    expect(sentBody(scenario).tool_choice).toEqual(expected);
  });

  it('sends tool_use blocks and groups consecutive tool results into one user turn', async () => {
    await adapterFor('round-trip', fixture('message.json')).generate({
      model: 'claude-sonnet-4-20250514',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', content: '21 C', toolCallId: 'toolu_1' },
        { role: 'tool', content: '25 C', toolCallId: 'toolu_2' },
      ],
      tools: [WEATHER_TOOL],
    });
    const sent = sentBody('round-trip');
    expect(sent.system).toBe('Be brief.');
    expect(sent.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '21 C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '25 C' },
        ],
      },
    ]);
  });

  it('asks for a JSON schema answer with a forced tool and returns its input as the content', async () => {
    const result = await adapterFor('structured', fixture('message-structured.json')).generate({
      model: 'claude-sonnet-4-20250514',
      messages: [{ role: 'user', content: 'Name a city.' }],
      responseFormat: { type: 'json_schema', name: 'city', schema: CITY_SCHEMA, strict: true },
    });

    expect(result).toMatchObject({ content: '{"city":"Paris","country":"France"}', finishReason: 'stop' });
    expect(result.toolCalls).toBeUndefined();
    const sent = sentBody('structured');
    expect(sent.tools).toEqual([
      { name: 'city', description: 'Give the answer as this JSON object.', input_schema: CITY_SCHEMA },
    ]);
    expect(sent.tool_choice).toEqual({ type: 'tool', name: 'city', disable_parallel_tool_use: true });
  });

  it('sends a data URL image as base64 and an https image by URL', async () => {
    await adapterFor('image', fixture('message.json')).generate({
      model: 'claude-sonnet-4-20250514',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
            { type: 'image', url: 'https://example.com/cat.jpg' },
            { type: 'text', text: 'Compare them.' },
          ],
        },
      ],
    });
    expect(sentBody('image').messages[0].content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'text', text: 'Compare them.' },
    ]);
  });
});
