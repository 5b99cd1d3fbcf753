import Anthropic from '@anthropic-ai/sdk';
import { countTokens } from '@switchyard/provider-sim';
import { createProviderAdapters } from '@switchyard/providers';
import { type ProviderAdapter, ProviderError } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type APIError = InstanceType<typeof Anthropic.APIError>;

import { summarize } from '../apps/provider-sim/src/summarize.ts';
import { type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// Switchyard as a drop-in for code that uses the official Anthropic SDK: /v1/messages over the
// same routes, queues and fallback as every job, answered in Anthropic's shapes.

const KEY = 'anthropic-sdk-key-0123456789';
const TEXT =
  'The library opened a new wing. It holds maps from four centuries. Visitors may read them on weekdays.';

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

/** A provider whose stream breaks after its first words. */
const breakingProvider: ProviderAdapter = {
  id: 'breaker',
  kind: 'openai',
  generate: async () => {
    throw new ProviderError({ outcome: 'server_error', provider: 'breaker', message: 'down' });
  },
  async *stream() {
    yield { type: 'delta', text: 'Once upon' };
    throw new ProviderError({ outcome: 'server_error', provider: 'breaker', message: 'connection reset' });
  },
};

/** A provider that says its first words, then waits until the call is aborted. */
const stallingProvider: ProviderAdapter = {
  id: 'staller',
  kind: 'openai',
  generate: async () => {
    throw new ProviderError({ outcome: 'server_error', provider: 'staller', message: 'stream only' });
  },
  async *stream(request) {
    yield { type: 'delta', text: 'Once upon a time' };
    const signal = request.signal!;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    throw signal.reason;
  },
};

let harness: Harness;
let client: Anthropic;
/**
 * The adapters the workers call: the configuration's, made once the harness knows the
 * simulator's URLs, and the injected ones. Workers look adapters up per call, so the map is
 * filled after the harness starts and before the first job.
 */
const adapters = new Map<string, ProviderAdapter>();

beforeAll(async () => {
  const model = (name: string) => [{ name, contextWindow: 8_000 }];
  harness = await startHarness({
    providers: [
      { id: 'broken', format: 'openai', models: model('m'), simulator: { failures: { serverError: 1 } } },
      { id: 'gem', format: 'gemini', models: model('g') },
      { id: 'claude', format: 'anthropic', models: model('c') },
      { id: 'streamer', format: 'openai', models: model('s') },
      // Played by the injected adapters below, not by the simulator.
      { id: 'breaker', format: 'openai', models: model('b') },
      { id: 'staller', format: 'openai', models: model('st') },
    ],
    routes: { summarize: { targets: ['broken/m', 'gem/g'] } },
    auth: { apiKeys: [{ key: KEY, tenant: 'anthropic-sdk' }] },
    config: { scheduling: { retriesPerTarget: 0 } },
    services: { adapters },
    listen: true,
  });
  for (const [id, adapter] of createProviderAdapters(harness.config.providers)) adapters.set(id, adapter);
  for (const adapter of [breakingProvider, stallingProvider]) adapters.set(adapter.id, adapter);
  client = new Anthropic({ baseURL: harness.origin, apiKey: KEY, maxRetries: 0 });
});

afterAll(() => harness?.close());

const textOfMessage = (message: Anthropic.Message) =>
  message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');

describe('the Anthropic SDK against Switchyard', () => {
  it('creates a message through the queues, falling back past a failing provider', async () => {
    const { data: message, response } = await client.messages
      .create({ model: 'summarize', max_tokens: 40, messages: [{ role: 'user', content: TEXT }] })
      .withResponse();
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('summarize');
    expect(message.id).toMatch(/^msg_/);
    // The simulator's deterministic summary and token counts, passed through unchanged.
    const summary = summarize(TEXT, 40);
    expect(message.content).toEqual([{ type: 'text', text: summary.text }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toEqual({ input_tokens: countTokens(TEXT), output_tokens: summary.outputTokens });
    const jobId = response.headers.get('x-switchyard-job-id')!;
    expect((message as unknown as { switchyard: unknown }).switchyard).toEqual({
      job_id: jobId,
      provider: 'gem',
      model: 'g',
    });
    const job = await harness.services.broker.get(jobId);
    expect(job?.attempts.map((attempt) => attempt.outcome)).toEqual(['server_error', 'succeeded']);
    expect(job?.request.maxTokens).toBe(40);
  });

  it('carries the system prompt, sampling fields and stop sequences to the job', async () => {
    const { data: message, response } = await client.messages
      .create({
        model: 'claude/c',
        max_tokens: 50,
        system: [{ type: 'text', text: 'Summarize.' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: TEXT }] }],
        stop_sequences: ['STOP'],
        metadata: { user_id: 'user-7' },
        ...({ temperature: 0.2, top_p: 0.9 } as object),
      })
      .withResponse();
    expect(message.model).toBe('claude/c');
    expect(textOfMessage(message)).toBe(summarize(TEXT, 50).text);
    expect(message.usage.input_tokens).toBe(countTokens('Summarize.') + countTokens(TEXT));
    const job = await harness.services.broker.get(response.headers.get('x-switchyard-job-id')!);
    expect(job?.request).toMatchObject({
      messages: [
        { role: 'system', content: 'Summarize.' },
        { role: 'user', content: TEXT },
      ],
      maxTokens: 50,
      temperature: 0.2,
      topP: 0.9,
      stop: ['STOP'],
      user: 'user-7',
    });
  });

  it('streams a message as Anthropic events, the same text as without streaming', async () => {
    const messages = [{ role: 'user' as const, content: `${TEXT} ${TEXT.toUpperCase()}` }];
    const whole = await client.messages.create({ model: 'streamer/s', max_tokens: 60, messages });
    const stream = client.messages.stream({ model: 'streamer/s', max_tokens: 60, messages });
    const types: string[] = [];
    let text = '';
    let served: unknown;
    stream.on('text', (piece) => {
      text += piece;
    });
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_delta') served = (event as unknown as { switchyard: unknown }).switchyard;
    }
    expect(served).toEqual({ provider: 'streamer', model: 's', job_id: expect.any(String) });
    const final = await stream.finalMessage();
    expect(text).toBe(textOfMessage(whole));
    expect(textOfMessage(final)).toBe(text);
    // How the simulator cuts its answer into chunks is its own business: more than one is the point.
    expect(types.filter((type) => type === 'content_block_delta').length).toBeGreaterThan(1);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toEqual(whole.usage);
  });

  it('falls back when a stream fails before its first token', async () => {
    const { data: stream, response } = await client.messages
      .create({
        model: 'summarize',
        max_tokens: 40,
        messages: [{ role: 'user', content: TEXT }],
        stream: true,
      })
      .withResponse();
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe(summarize(TEXT, 40).text);
    const jobId = response.headers.get('x-switchyard-job-id')!;
    expect((await harness.services.broker.get(jobId))?.attempts.map((attempt) => attempt.outcome)).toEqual([
      'server_error',
      'succeeded',
    ]);
  });

  it('surfaces errors as Anthropic SDK errors with Switchyard codes', async () => {
    const unknown = await client.messages
      .create({ model: 'nowhere', max_tokens: 10, messages: [{ role: 'user', content: TEXT }] })
      .catch((caught: unknown) => caught);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect((unknown as APIError).type).toBe('not_found_error');
    expect((unknown as APIError).errorCode).toBe('unknown_route');

    const thinking = await client.messages
      .create({
        model: 'gem/g',
        max_tokens: 10,
        messages: [{ role: 'user', content: TEXT }],
        thinking: { type: 'enabled', budget_tokens: 1024 },
      })
      .catch((caught: unknown) => caught);
    expect(thinking).toBeInstanceOf(Anthropic.BadRequestError);
    expect((thinking as APIError).errorCode).toBe('unsupported_field');
    expect((thinking as APIError).message).toContain('thinking is not supported');

    const topK = await client.messages
      .create({
        model: 'gem/g',
        max_tokens: 10,
        messages: [{ role: 'user', content: TEXT }],
        ...({ top_k: 5 } as object),
      })
      .catch((caught: unknown) => caught);
    expect((topK as APIError).details).toMatchObject({
      error_code: 'unsupported_field',
      field: 'top_k',
    });

    const unauthorized = new Anthropic({
      baseURL: harness.origin,
      apiKey: 'wrong-key-000000000000',
      maxRetries: 0,
    });
    const denied = await unauthorized.messages
      .create({ model: 'gem/g', max_tokens: 10, messages: [{ role: 'user', content: TEXT }] })
      .catch((caught: unknown) => caught);
    expect(denied).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((denied as APIError).type).toBe('authentication_error');
  });

  it('refuses a request without max_tokens, or not JSON, in Anthropic error shape', async () => {
    const response = await fetch(`${harness.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gem/g', messages: [{ role: 'user', content: TEXT }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; error: Record<string, unknown> };
    expect(body.type).toBe('error');
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request' });
    expect(body.error.message).toContain('max_tokens');

    const broken = await fetch(`${harness.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: '{"model":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'invalid_json' },
    });
  });

  it('raises a stream that breaks after its first words as the SDK error', async () => {
    const stream = client.messages.stream({
      model: 'breaker/b',
      max_tokens: 20,
      messages: [{ role: 'user', content: TEXT }],
    });
    let text = '';
    stream.on('text', (piece) => {
      text += piece;
    });
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(text).toBe('Once upon');
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as APIError).type).toBe('api_error');
    expect((error as APIError).message).toContain('connection reset');
  });

  it('cancels the job when the client stops reading the stream', async () => {
    const controller = new AbortController();
    const { data: stream, response } = await client.messages
      .create(
        { model: 'staller/st', max_tokens: 20, messages: [{ role: 'user', content: TEXT }], stream: true },
        { signal: controller.signal },
      )
      .withResponse();
    const jobId = response.headers.get('x-switchyard-job-id')!;
    let text = '';
    // The SDK ends an aborted stream's loop quietly.
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        text += event.delta.text;
        controller.abort();
      }
    }
    expect(text).toBe('Once upon a time');
    const job = await until(
      async () => {
        const current = await harness.services.broker.get(jobId);
        return current?.status === 'cancelled' ? current : undefined;
      },
      { message: `job ${jobId} to be cancelled` },
    );
    expect(job.error?.code).toBe('cancelled');
  });
});

/** A 1x1 PNG: Anthropic's rule counts it as one input token. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const QUESTION = 'What is the weather in Paris today?';

// Gemini carries a tool's text result as the function response `{ content }`, which the
// simulator echoes as JSON.
describe.each([
  ['OpenAI-compatible', 'streamer/s', 'sunny, 21 degrees'],
  ['Anthropic', 'claude/c', 'sunny, 21 degrees'],
  ['Gemini', 'gem/g', '{"content":"sunny, 21 degrees"}'],
])('tool use through a provider speaking the %s wire format', (_format, model, echoed) => {
  const question = { role: 'user' as const, content: QUESTION };
  // The simulator calls the first tool, its string argument the user's first eight words.
  const call = { type: 'tool_use', name: 'get_weather', input: { city: QUESTION } };

  it('answers with a tool_use block and takes the tool_result back', async () => {
    const { data: first, response } = await client.messages
      .create({
        model,
        max_tokens: 100,
        messages: [question],
        tools: [WEATHER_TOOL],
        tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      })
      .withResponse();
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([{ ...call, id: expect.any(String) }]);
    const job = await harness.services.broker.get(response.headers.get('x-switchyard-job-id')!);
    expect(job?.request).toMatchObject({
      tools: [
        { name: 'get_weather', description: 'The weather in a city', parameters: WEATHER_TOOL.input_schema },
      ],
      toolChoice: 'auto',
      parallelToolCalls: false,
    });

    const id = (first.content[0] as Anthropic.ToolUseBlock).id;
    const { data: second, response: secondResponse } = await client.messages
      .create({
        model,
        max_tokens: 100,
        tools: [WEATHER_TOOL],
        messages: [
          question,
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'sunny, 21 degrees' }] },
        ],
      })
      .withResponse();
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: `Tool result: ${echoed}` }]);
    const secondJob = await harness.services.broker.get(secondResponse.headers.get('x-switchyard-job-id')!);
    expect(secondJob?.request.messages).toEqual([
      { role: 'user', content: QUESTION },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id, name: 'get_weather', arguments: JSON.stringify(call.input) }],
      },
      { role: 'tool', toolCallId: id, name: 'get_weather', content: 'sunny, 21 degrees' },
    ]);
  });

  it('streams tool use as input_json_delta pieces the SDK assembles', async () => {
    const stream = client.messages.stream({
      model,
      max_tokens: 100,
      messages: [question],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    const pieces: string[] = [];
    stream.on('inputJson', (piece) => {
      pieces.push(piece);
    });
    const final = await stream.finalMessage();
    expect(JSON.parse(pieces.join(''))).toEqual(call.input);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([{ ...call, id: expect.any(String) }]);
  });
});

describe('images', () => {
  it('carries image blocks to the provider as image parts', async () => {
    const text = 'Which centuries are these maps from?';
    const { data: message, response } = await client.messages
      .create({
        model: 'claude/c',
        max_tokens: 50,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } },
              { type: 'text', text },
            ],
          },
        ],
      })
      .withResponse();
    expect(message.content).toEqual([{ type: 'text', text: summarize(text, 50).text }]);
    // The text by the simulator's count, and the pixel by Anthropic's rule: one token.
    expect(message.usage.input_tokens).toBe(countTokens(text) + 1);
    const job = await harness.services.broker.get(response.headers.get('x-switchyard-job-id')!);
    expect(job?.request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', url: `data:image/png;base64,${PIXEL}` },
          { type: 'text', text },
        ],
      },
    ]);
  });
});

describe('structured output', () => {
  it.each([
    ['OpenAI-compatible', 'streamer/s'],
    ['Anthropic', 'claude/c'],
    ['Gemini', 'gem/g'],
  ])(
    'answers output_config.format with JSON valid against the schema (%s wire format)',
    async (_format, model) => {
      const schema = {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      };
      const message = await client.messages.create({
        model,
        max_tokens: 100,
        messages: [{ role: 'user', content: QUESTION }],
        output_config: { format: { type: 'json_schema', schema } },
      });
      expect(message.stop_reason).toBe('end_turn');
      // The simulator builds the object from the schema: a string is the user's first eight words.
      expect(JSON.parse(textOfMessage(message))).toEqual({ city: QUESTION });
    },
  );
});
