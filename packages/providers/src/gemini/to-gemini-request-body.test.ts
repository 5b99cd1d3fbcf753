import type { GenerateRequest } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, readFixture, startFixtureServer } from '../test-support/start-fixture-server.ts';
import { createGeminiAdapter } from './create-gemini-adapter.ts';

const fixture = (name: string) => readFixture(import.meta.url, name);
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: ['string', 'null'] } },
    required: ['city'],
    additionalProperties: false,
  },
};

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

function adapterFor(scenario: string, body: string) {
  return createGeminiAdapter({
    id: 'gemini-test',
    baseUrl: server.route(scenario, { status: 200, body }),
    apiKey: 'AIzaSy-test-0123456789abcdef',
    timeoutMs: 5_000,
  });
}

const sentBody = (scenario: string) => JSON.parse(server.requestsTo(scenario)[0]?.body ?? '');

describe('the generateContent request and answer', () => {
  it('sends function declarations with the schema Gemini accepts, and reads function calls back', async () => {
    const request: GenerateRequest = {
      model: 'gemini-2.0-flash',
      messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
      tools: [WEATHER_TOOL],
      toolChoice: { name: 'get_weather' },
    };
    const result = await adapterFor('tools', fixture('generate-content-function-call.json')).generate(
      request,
    );

    expect(result).toMatchObject({
      content: '',
      toolCalls: [
        { id: 'call_0', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
        { id: 'call_1', name: 'get_weather', arguments: '{"city":"Rome","unit":"celsius"}' },
      ],
      finishReason: 'tool_calls',
    });
    const sent = sentBody('tools');
    expect(sent.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: WEATHER_TOOL.description,
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' }, unit: { type: 'string', nullable: true } },
              required: ['city'],
            },
          },
        ],
      },
    ]);
    expect(sent.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
    });
  });

  it('sends function calls and responses, naming each response after its call', async () => {
    await adapterFor('round-trip', fixture('generate-content.json')).generate({
      model: 'gemini-2.0-flash',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        },
        { role: 'tool', content: '{"celsius":21}', toolCallId: 'call_0' },
        { role: 'tool', content: 'sunny', toolCallId: 'call_9', name: 'get_sky' },
      ],
      tools: [WEATHER_TOOL],
      toolChoice: 'auto',
    });
    const sent = sentBody('round-trip');
    expect(sent.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { celsius: 21 } } },
          { functionResponse: { name: 'get_sky', response: { content: 'sunny' } } },
        ],
      },
    ]);
    expect(sent.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
  });

  it('asks for JSON with a response schema and carries the sampling fields', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    };
    await adapterFor('structured', fixture('generate-content.json')).generate({
      model: 'gemini-2.0-flash',
      messages: [{ role: 'user', content: 'Name a city.' }],
      responseFormat: { type: 'json_schema', name: 'city', schema, strict: true },
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      topP: 0.9,
      stop: ['END'],
      logprobs: true,
      topLogprobs: 2,
      user: 'user-42',
    });
    const sent = sentBody('structured');
    expect(sent.generationConfig).toEqual({
      topP: 0.9,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      responseLogprobs: true,
      logprobs: 2,
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    });
    expect(JSON.stringify(sent)).not.toContain('user-42');
  });

  it('sends a data URL image inline and an https image as file data', async () => {
    await adapterFor('image', fixture('generate-content.json')).generate({
      model: 'gemini-2.0-flash',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare them.' },
            { type: 'image', url: 'data:image/webp;base64,UklGRg==' },
            { type: 'image', url: 'https://example.com/cat.png?size=large' },
            { type: 'image', url: 'https://example.com/photo' },
          ],
        },
      ],
    });
    expect(sentBody('image').contents[0].parts).toEqual([
      { text: 'Compare them.' },
      { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png?size=large' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photo' } },
    ]);
  });
});
