import type { AddressInfo } from 'node:net';
import { buildApp } from '@switchyard/app/app';
import { createServices, type Services } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordingAdapter } from './support/recording-adapter.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// The parts of the OpenAI chat completion surface that need a provider the simulator cannot
// play, through the official SDK: which fields reach the adapter, a strict schema retrying an
// answer that breaks it, refused parameters and capabilities in route plans. The providers are
// real adapters written for the test (see recording-adapter.ts); tools, structured output,
// images, streams, jobs and batches on every wire format are in
// chat-completions-on-simulator.test.ts.

const KEY = 'parity-key-0123456789abcdef';
const WEATHER: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
    strict: true,
  },
};
const BOOK_SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, year: { type: 'integer' } },
  required: ['title', 'year'],
  additionalProperties: false,
};

let services: Services;
let app: Awaited<ReturnType<typeof buildApp>>;
let client: OpenAI;
let baseURL: string;
const plain = createRecordingAdapter('plain');
const smart = createRecordingAdapter('smart', { flakySchema: true });
const prefix = testPrefix();

beforeAll(async () => {
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        {
          id: 'plain',
          kind: 'openai',
          baseUrl: 'http://127.0.0.1:9/v1',
          // A text-only model: requests with tools, schemas or images skip it.
          models: [{ name: 'text-only', contextWindow: 8_000, capabilities: ['streaming'] }],
        },
        {
          id: 'smart',
          kind: 'openai',
          baseUrl: 'http://127.0.0.1:9/v1',
          models: [{ name: 'all-round', contextWindow: 8_000 }],
        },
      ],
      routes: { assistant: { targets: ['plain/text-only', 'smart/all-round'] } },
      redis: { url: REDIS_URL, prefix },
      auth: { apiKeys: [{ key: KEY, tenant: 'parity' }] },
      scheduling: { retriesPerTarget: 1 },
    },
    {},
  );
  services = createServices(config, {
    adapters: new Map([plain, smart].map((adapter) => [adapter.id, adapter])),
  });
  await services.startWorkers();
  app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
  client = new OpenAI({ baseURL, apiKey: KEY, maxRetries: 0 });
});

afterAll(async () => {
  await app.close();
  await services.close();
  await deleteKeys(prefix);
});

type Served = { switchyard: { provider: string; model: string; job_id: string } };

describe('chat completions beyond text, through the openai SDK', () => {
  it('answers text on the first target and names the route as the model', async () => {
    const completion = await client.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'hello' }],
      seed: 3,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      user: 'u-1',
      store: false,
      metadata: { team: 'docs' },
    });
    expect(completion.model).toBe('assistant');
    expect(completion.choices[0]!.message.content).toBe('Echo: hello');
    expect((completion as unknown as Served).switchyard).toMatchObject({
      provider: 'plain',
      model: 'text-only',
    });
    expect(plain.requests.at(-1)).toMatchObject({
      seed: 3,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      user: 'u-1',
    });
  });

  it('retries an answer that breaks a strict schema, then parses the one that keeps it', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'assistant',
        messages: [{ role: 'user', content: 'A book?' }],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'book', schema: BOOK_SCHEMA, strict: true },
        },
      })
      .withResponse();
    expect(JSON.parse(data.choices[0]!.message.content!)).toEqual({ title: 'Dune', year: 1965 });
    const job = await services.broker.get(response.headers.get('x-switchyard-job-id')!);
    expect(job!.attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([
      ['smart', 'bad_response'],
      ['smart', 'succeeded'],
    ]);
    expect(job!.attempts[0]!.error?.message).toMatch(/must have required property 'year'/);
  });

  it('refuses fields that would change the answer by name, and bad images and schemas', async () => {
    const refusal = async (body: Record<string, unknown>) => {
      const response = await fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'x' }], ...body }),
      });
      return {
        status: response.status,
        ...((await response.json()) as { error: { code: string; details: unknown } }),
      };
    };
    for (const [body, field] of [
      [{ n: 2 }, 'n'],
      [{ logit_bias: { '50256': -100 } }, 'logit_bias'],
      [{ audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
      [{ modalities: ['text', 'audio'] }, 'modalities'],
      [{ functions: [{ name: 'f' }] }, 'functions'],
      [{ reasoning_effort: 'high' }, 'reasoning_effort'],
      [{ colour: 'blue' }, 'colour'],
    ] as const) {
      expect(await refusal(body)).toMatchObject({
        status: 400,
        error: { code: 'unsupported_parameter', details: { field } },
      });
    }
    // Harmless values of the same fields pass.
    expect((await refusal({ n: 1, logit_bias: null, modalities: ['text'] })).status).toBe(200);
    const image = (url: string) => ({
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
    });
    for (const url of ['http://example.org/a.png', 'data:text/plain;base64,aGk=', 'file:///etc/passwd'])
      expect(await refusal(image(url))).toMatchObject({ status: 400, error: { code: 'invalid_request' } });
    expect(
      await refusal({
        response_format: { type: 'json_schema', json_schema: { name: 'b', schema: { type: 'nonsense' } } },
      }),
    ).toMatchObject({ status: 400, error: { code: 'invalid_request' } });
  });

  it('answers 422 naming the capability when no target of the route can take the request', async () => {
    const error = await client.chat.completions
      .create({ model: 'plain/text-only', messages: [{ role: 'user', content: 'x' }], tools: [WEATHER] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('no_eligible_target');
    expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).toContain(
      '"reason":"capability"',
    );
  });
});
