import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './create-simulator.ts';
import { ARTICLE, send } from './test-support.ts';

let simulator: Simulator;
let baseUrl: string;
const auth = { authorization: 'Bearer sk-test-0123456789' };

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      {
        id: 'groq',
        format: 'openai',
        apiKey: 'sk-test-0123456789',
        models: [{ name: 'llama-3.1-8b-instant', contextWindow: 2_000 }],
        limits: [
          { requests: 100, per: '1m' },
          { tokens: 50_000, per: '1m' },
        ],
      },
    ],
  });
  baseUrl = simulator.baseUrlFor('groq');
});

afterAll(async () => {
  await simulator?.close();
});

const chat = (body: Record<string, unknown>, headers: Record<string, string> = auth) =>
  send(`${baseUrl}/chat/completions`, {
    body: { model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: ARTICLE }], ...body },
    headers,
  });

describe('openai wire format', () => {
  it('serves under {url}/{id}/v1 like an OpenAI base URL', () => {
    expect(baseUrl).toBe(`${simulator.url}/groq/v1`);
  });

  it('answers a chat.completion object with usage and x-ratelimit headers', async () => {
    const result = await chat({ max_tokens: 300 });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/json');
    expect(result.json).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'llama-3.1-8b-instant',
      choices: [
        { index: 0, message: { role: 'assistant', content: expect.any(String) }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
    const { usage } = result.json;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(result.headers.get('x-ratelimit-limit-requests')).toBe('100');
    expect(Number(result.headers.get('x-ratelimit-remaining-requests'))).toBeLessThan(100);
    expect(result.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|(\d+m)?\d+(\.\d+)?s)$/);
    expect(result.headers.get('x-ratelimit-limit-tokens')).toBe('50000');
    expect(result.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('accepts content parts and max_completion_tokens', async () => {
    const result = await chat({
      messages: [{ role: 'user', content: [{ type: 'text', text: ARTICLE }] }],
      max_completion_tokens: 5,
    });
    expect(result.json.choices[0].finish_reason).toBe('length');
    expect(result.json.usage.completion_tokens).toBe(5);
  });

  it('lists its models', async () => {
    const result = await send(`${baseUrl}/models`, { headers: auth });
    expect(result.json).toEqual({
      object: 'list',
      data: [{ id: 'llama-3.1-8b-instant', object: 'model', created: 0, owned_by: 'provider-sim' }],
    });
  });

  it('writes errors as {error: {message, type, param, code}}', async () => {
    const unknown = await chat({ model: 'gpt-9' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: null,
    });

    const badKey = await chat({}, { authorization: 'Bearer sk-wrong-key-000000' });
    expect(badKey.status).toBe(401);
    expect(badKey.json.error).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' });
    expect(badKey.json.error.message).not.toContain('sk-wrong-key-000000');

    const tooLong = await chat({ messages: [{ role: 'user', content: 'a'.repeat(7_000) }], max_tokens: 500 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toEqual({
      message:
        "This model's maximum context length is 2000 tokens. However, you requested 2250 tokens (1750 in the messages, 500 in the completion). Please reduce the length of the messages or completion.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    });

    const noMessages = await chat({ messages: [] });
    expect(noMessages.status).toBe(400);
    expect(noMessages.json.error.param).toBe('messages');
  });

  it('streams chat.completion.chunk events ending with [DONE], same content as without stream', async () => {
    const plain = await chat({ max_tokens: 300 });
    const streamed = await chat({ max_tokens: 300, stream: true, stream_options: { include_usage: true } });
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = streamed.text
      .split('\n\n')
      .filter(Boolean)
      .map((event) => event.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe(plain.json.choices[0].message.content);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1).usage).toEqual(plain.json.usage);
  });
});
