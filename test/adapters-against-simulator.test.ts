import {
  countTokens,
  type SimProviderConfig,
  type Simulator,
  startSimulator,
} from '@switchyard/provider-sim';
import { createAdapter } from '@switchyard/providers';
import { type AttemptOutcome, type GenerateResult, ProviderError } from '@switchyard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../apps/provider-sim/src/summarize.ts';

// Each adapter against the simulator speaking its wire format: every outcome of the
// taxonomy the simulator can produce, over real HTTP.

const FORMATS = ['openai', 'anthropic', 'gemini'] as const;
const KEY = 'sim-secret-key-0123456789';
const TEXT =
  'Quotas are shared by every worker. Jobs wait for capacity instead of failing. A job that cannot make its deadline moves to the next provider. Results come back by webhook or polling.';

let simulator: Simulator;
let counter = 0;

beforeAll(async () => {
  simulator = await startSimulator({ providers: [] });
});

afterAll(async () => {
  await simulator.close();
});

function adapterFor(
  format: (typeof FORMATS)[number],
  extra: Partial<SimProviderConfig> = {},
  timeoutMs = 2_000,
) {
  const id = `${format}-${++counter}`;
  simulator.addProvider({
    id,
    format,
    apiKey: KEY,
    models: [{ name: 'model-a', contextWindow: 2_000 }],
    ...extra,
  } as SimProviderConfig);
  return {
    id,
    adapter: createAdapter({ id, kind: format, baseUrl: simulator.baseUrlFor(id), apiKey: KEY, timeoutMs }),
  };
}

async function outcomeOf(
  promise: Promise<unknown>,
): Promise<{ outcome: AttemptOutcome; error: ProviderError }> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return { outcome: error.outcome, error };
    throw error;
  }
  throw new Error('expected a ProviderError');
}

const ask = { model: 'model-a', messages: [{ role: 'user' as const, content: TEXT }], maxTokens: 40 };

describe.each(FORMATS)('%s adapter against the simulator', (format) => {
  it('200: returns the summary, finish reason and usage', async () => {
    const { adapter } = adapterFor(format);
    const result = await adapter.generate({
      ...ask,
      messages: [{ role: 'system', content: 'Summarize.' }, ...ask.messages],
    });
    // The simulator summarizes the user's text and counts every message, the system one too.
    const summary = summarize(TEXT, ask.maxTokens);
    expect(result.content).toBe(summary.text);
    expect(TEXT).toContain(result.content.split(/(?<=\.)\s/)[0]);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(countTokens('Summarize.') + countTokens(TEXT));
    expect(result.usage.outputTokens).toBe(summary.outputTokens);
  });

  it('401 (or Gemini 400 API_KEY_INVALID): authentication_failed, key not echoed', async () => {
    const { id } = adapterFor(format);
    const wrongKey = 'wrong-key-abcdefghijklmnop';
    const adapter = createAdapter({
      id,
      kind: format,
      baseUrl: simulator.baseUrlFor(id),
      apiKey: wrongKey,
      timeoutMs: 2_000,
    });
    const { outcome, error } = await outcomeOf(adapter.generate(ask));
    expect(outcome).toBe('authentication_failed');
    expect(JSON.stringify({ ...error.toJSON(), body: error.responseBody })).not.toContain(wrongKey);
  });

  it('404 unknown model: invalid_request', async () => {
    const { adapter } = adapterFor(format);
    expect((await outcomeOf(adapter.generate({ ...ask, model: 'model-z' }))).outcome).toBe('invalid_request');
  });

  it('context too long: context_length_exceeded', async () => {
    const { adapter } = adapterFor(format);
    const long = { ...ask, messages: [{ role: 'user' as const, content: TEXT.repeat(60) }] };
    expect((await outcomeOf(adapter.generate(long))).outcome).toBe('context_length_exceeded');
  });

  it('429 over a limit: rate_limited with the retry-after the simulator advertised', async () => {
    const { adapter } = adapterFor(format, { limits: [{ requests: 1, per: '5s' }] });
    await adapter.generate(ask);
    const { outcome, error } = await outcomeOf(adapter.generate(ask));
    expect(outcome).toBe('rate_limited');
    expect(error.statusCode).toBe(429);
    expect(error.retryAfterMs).toBeGreaterThan(3_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(5_000);
  });

  it.each([
    ['serverError', 'server_error'],
    ['unavailable', 'server_error'],
    ['malformed', 'bad_response'],
    ['truncated', 'bad_response'],
    ['networkReset', 'network_error'],
  ] as const)('injected %s: %s', async (failure, expected) => {
    const { adapter } = adapterFor(format, { failures: { [failure]: 1 } });
    expect((await outcomeOf(adapter.generate(ask))).outcome).toBe(expected);
  });

  it('a provider that never answers: timeout, after the provider timeout', async () => {
    const { adapter } = adapterFor(format, { failures: { timeout: 1 } }, 300);
    const started = Date.now();
    expect((await outcomeOf(adapter.generate(ask))).outcome).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a provider taken down at run time and back up', async () => {
    const { id, adapter } = adapterFor(format);
    simulator.configure(id, { down: 'unavailable' });
    expect((await outcomeOf(adapter.generate(ask))).outcome).toBe('server_error');
    simulator.configure(id, { down: false });
    await expect(adapter.generate(ask)).resolves.toMatchObject({ finishReason: 'stop' });
  });
});

// Tools, structured output, images and streamed tool calls: each adapter maps them into its wire
// format and the simulator answers them deterministically (docs/providers.md).

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 3 },
    },
    required: ['city', 'unit', 'days'],
    additionalProperties: false,
  },
};
const QUESTION = 'Weather in Paris today?';
// A 1x1 PNG: its header gives the simulator the image's size.
const PIXEL_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
/** One image's input tokens by each provider's rule, for a 1x1 image (docs/providers.md). */
const IMAGE_TOKENS = { openai: 255, anthropic: 1, gemini: 258 } as const;

describe.each(FORMATS)('%s adapter against the simulator: tools, JSON and images', (format) => {
  it('a tool call round trip: the call, then an answer built on the tool result', async () => {
    const { adapter } = adapterFor(format);
    const messages = [{ role: 'user' as const, content: QUESTION }];
    const first = await adapter.generate({
      model: 'model-a',
      messages,
      tools: [WEATHER_TOOL],
      maxTokens: 100,
    });

    expect(first.finishReason).toBe('tool_calls');
    expect(first.toolCalls).toHaveLength(1);
    const [call] = first.toolCalls!;
    expect(call).toMatchObject({ name: 'get_weather' });
    expect(JSON.parse(call!.arguments)).toEqual({ city: QUESTION, unit: 'celsius', days: 3 });

    const second = await adapter.generate({
      model: 'model-a',
      messages: [
        ...messages,
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', content: '{"celsius":21}', toolCallId: call!.id, name: call!.name },
      ],
      tools: [WEATHER_TOOL],
      maxTokens: 100,
    });
    expect(second.finishReason).toBe('stop');
    expect(second.toolCalls).toBeUndefined();
    expect(second.content).toContain('21');
  });

  it('a forced tool choice calls that tool; none answers with text', async () => {
    const { adapter } = adapterFor(format);
    const other = { name: 'get_time', parameters: { type: 'object', properties: {} } };
    const request = { ...ask, tools: [other, WEATHER_TOOL] };
    const forced = await adapter.generate({ ...request, toolChoice: { name: 'get_weather' } });
    const none = await adapter.generate({ ...request, toolChoice: 'none' });

    expect(forced.toolCalls?.map((toolCall) => toolCall.name)).toEqual(['get_weather']);
    expect(none).toMatchObject({ finishReason: 'stop' });
    expect(none.toolCalls).toBeUndefined();
  });

  it('a json_schema answer is JSON valid against the schema', async () => {
    const { adapter } = adapterFor(format);
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string', maxLength: 20 },
        sentences: { type: 'integer' },
        ok: { type: 'boolean' },
      },
      required: ['title', 'sentences', 'ok'],
      additionalProperties: false,
    };
    const result = await adapter.generate({
      ...ask,
      maxTokens: 100,
      responseFormat: { type: 'json_schema', name: 'digest', schema, strict: true },
    });

    expect(result.finishReason).toBe('stop');
    expect(JSON.parse(result.content)).toEqual({
      title: TEXT.slice(0, 20),
      sentences: TEXT.split(' ').length,
      ok: true,
    });
  });

  it('an image counts in the input tokens by the provider rule', async () => {
    const { adapter } = adapterFor(format);
    const prompt = 'Describe this image.';
    const withoutImage = await adapter.generate({ ...ask, messages: [{ role: 'user', content: prompt }] });
    const withImage = await adapter.generate({
      ...ask,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: prompt },
            { type: 'image', url: PIXEL_PNG },
          ],
        },
      ],
    });

    expect(withImage.usage.inputTokens - withoutImage.usage.inputTokens).toBe(IMAGE_TOKENS[format]);
    expect(withImage.content).toBe(withoutImage.content);
  });

  it('streams a tool call in pieces that add up to the whole call', async () => {
    const { adapter } = adapterFor(format);
    const pieces: { id?: string; name?: string; arguments?: string }[] = [];
    let done: GenerateResult | undefined;
    for await (const event of adapter.stream!({
      ...ask,
      messages: [{ role: 'user', content: QUESTION }],
      tools: [WEATHER_TOOL],
    })) {
      if (event.type === 'tool_call_delta') pieces.push(event);
      if (event.type === 'delta') throw new Error(`unexpected text: ${event.text}`);
      if (event.type === 'done') done = event.result;
    }

    expect(done).toMatchObject({ finishReason: 'tool_calls', toolCalls: [{ name: 'get_weather' }] });
    const [call] = done!.toolCalls!;
    expect(pieces[0]).toMatchObject({ id: call!.id, name: 'get_weather' });
    const streamed = pieces.map((piece) => piece.arguments ?? '').join('');
    expect(JSON.parse(streamed)).toEqual(JSON.parse(call!.arguments));
  });
});
