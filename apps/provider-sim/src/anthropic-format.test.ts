import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './create-simulator.ts';
import { ARTICLE, send } from './test-support.ts';

let simulator: Simulator;
let baseUrl: string;
const headers = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' };

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      {
        id: 'claude',
        format: 'anthropic',
        apiKey: 'sk-ant-test',
        models: [{ name: 'claude-haiku-4-5', contextWindow: 2_000 }],
        limits: [
          { requests: 3, per: '1m' },
          { tokens: 100_000, per: '1m' },
        ],
      },
    ],
  });
  baseUrl = simulator.baseUrlFor('claude');
});

afterAll(async () => {
  await simulator?.close();
});

const message = (body: Record<string, unknown>, extraHeaders: Record<string, string> = headers) =>
  send(`${baseUrl}/v1/messages`, {
    body: {
      model: 'claude-haiku-4-5',
      max_tokens: 300,
      messages: [{ role: 'user', content: ARTICLE }],
      ...body,
    },
    headers: extraHeaders,
  });

describe('anthropic wire format', () => {
  it('serves under {url}/{id} like an Anthropic base URL', () => {
    expect(baseUrl).toBe(`${simulator.url}/claude`);
  });

  it('answers a message object with content blocks, stop_reason, usage and ratelimit headers', async () => {
    simulator.reset();
    const result = await message({ system: [{ type: 'text', text: 'Be brief.' }] });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: expect.any(String) }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    expect(result.headers.get('anthropic-ratelimit-requests-limit')).toBe('3');
    expect(result.headers.get('anthropic-ratelimit-requests-remaining')).toBe('2');
    expect(result.headers.get('anthropic-ratelimit-tokens-limit')).toBe('100000');
    const reset = Date.parse(result.headers.get('anthropic-ratelimit-requests-reset') ?? '');
    expect(reset - Date.now()).toBeGreaterThan(55_000);
    expect(reset - Date.now()).toBeLessThanOrEqual(61_000);
    expect(result.headers.get('request-id')).toMatch(/^req_/);
  });

  it('answers 429 rate_limit_error with retry-after and ratelimit headers', async () => {
    simulator.reset();
    for (let index = 0; index < 3; index += 1) expect((await message({ max_tokens: 5 })).status).toBe(200);
    const refused = await message({ max_tokens: 5 });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(refused.headers.get('anthropic-ratelimit-requests-reset')).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
  });

  it('writes errors as {type: "error", error: {type, message}}', async () => {
    simulator.reset();
    const badKey = await message({}, { 'x-api-key': 'nope' });
    expect(badKey.status).toBe(401);
    expect(badKey.json).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });

    const unknown = await message({ model: 'claude-9' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toEqual({ type: 'not_found_error', message: 'model: claude-9' });

    const noMaxTokens = await send(`${baseUrl}/v1/messages`, {
      body: { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi.' }] },
      headers,
    });
    expect(noMaxTokens.status).toBe(400);
    expect(noMaxTokens.json.error).toEqual({
      type: 'invalid_request_error',
      message: 'max_tokens: Field required',
    });

    const promptTooLong = await message({ messages: [{ role: 'user', content: 'a'.repeat(8_400) }] });
    expect(promptTooLong.json.error).toEqual({
      type: 'invalid_request_error',
      message: 'prompt is too long: 2100 tokens > 2000 maximum',
    });
    const withOutput = await message({
      messages: [{ role: 'user', content: 'a'.repeat(7_000) }],
      max_tokens: 500,
    });
    expect(withOutput.status).toBe(400);
    expect(withOutput.json.error.message).toBe(
      'input length and `max_tokens` exceed context limit: 1750 + 500 > 2000, decrease input length or `max_tokens` and try again',
    );
  });

  it('answers 529 overloaded_error when unavailable', async () => {
    simulator.configure('claude', { down: 'unavailable' });
    const result = await message({});
    simulator.configure('claude', { down: false });
    expect(result.status).toBe(529);
    expect(result.json.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
  });

  it('streams message_start … message_stop events with the same text', async () => {
    simulator.reset();
    const plain = await message({ max_tokens: 40 });
    const streamed = await message({ max_tokens: 40, stream: true });
    const events = streamed.text
      .split('\n\n')
      .filter(Boolean)
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        return { event: eventLine!.slice(7), data: JSON.parse(dataLine!.slice(6)) };
      });
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...events.filter((event) => event.event === 'content_block_delta').map(() => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const text = events
      .filter((event) => event.event === 'content_block_delta')
      .map((event) => event.data.delta.text)
      .join('');
    expect(text).toBe(plain.json.content[0].text);
    const delta = events.find((event) => event.event === 'message_delta')!.data;
    expect(delta).toMatchObject({ delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 40 } });
  });
});
