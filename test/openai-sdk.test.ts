import type { AddressInfo } from 'node:net';
import { buildApp } from '@switchyard/app/app';
import { createServices, type Services } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';
import { eventually } from './support/switchyard-process.ts';

// Switchyard as a drop-in for code that uses the official OpenAI SDK.

const KEY = 'sdk-key-0123456789abcdef';
const TEXT =
  'The library opened a new wing. It holds maps from four centuries. Visitors may read them on weekdays.';

let simulator: Simulator;
let services: Services;
let app: Awaited<ReturnType<typeof buildApp>>;
let client: OpenAI;
const prefix = testPrefix();

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      {
        id: 'broken',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 8_000 }],
        failures: { serverError: 1 },
      },
      { id: 'gem', format: 'gemini', models: [{ name: 'g', contextWindow: 8_000 }] },
      { id: 'streamer', format: 'openai', models: [{ name: 's', contextWindow: 8_000 }] },
    ],
  });
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        {
          id: 'broken',
          kind: 'openai',
          baseUrl: simulator.baseUrlFor('broken'),
          models: [{ name: 'm', contextWindow: 8_000 }],
        },
        {
          id: 'gem',
          kind: 'gemini',
          baseUrl: simulator.baseUrlFor('gem'),
          models: [{ name: 'g', contextWindow: 8_000 }],
        },
        {
          id: 'streamer',
          kind: 'openai',
          baseUrl: simulator.baseUrlFor('streamer'),
          models: [{ name: 's', contextWindow: 8_000 }],
        },
      ],
      routes: { summarize: { targets: ['broken/m', 'gem/g'] } },
      redis: { url: REDIS_URL, prefix },
      auth: { apiKeys: [{ key: KEY, tenant: 'sdk' }] },
      scheduling: { retriesPerTarget: 0 },
    },
    {},
  );
  services = createServices(config);
  await services.startWorkers();
  app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: KEY, maxRetries: 0 });
});

afterAll(async () => {
  await app.close();
  await services.close();
  await simulator.close();
  await deleteKeys(prefix);
});

describe('the openai SDK against Switchyard', () => {
  it('creates a chat completion through the queues, falling back past a failing provider', async () => {
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'summarize', messages: [{ role: 'user', content: TEXT }], max_tokens: 40 })
      .withResponse();
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gem/g');
    expect(TEXT).toContain(completion.choices[0]!.message.content!.split('. ')[0]!);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.total_tokens).toBe(
      completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    );
    const jobId = response.headers.get('x-switchyard-job-id')!;
    const job = await services.broker.get(jobId);
    expect(job?.attempts.map((attempt) => attempt.outcome)).toEqual(['server_error', 'succeeded']);
  });

  it('accepts provider/model as the model and lists routes and models', async () => {
    const completion = await client.chat.completions.create({
      model: 'gem/g',
      messages: [
        { role: 'system', content: 'Summarize.' },
        { role: 'user', content: TEXT },
      ],
    });
    expect(completion.model).toBe('gem/g');
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(['summarize', 'broken/m', 'gem/g', 'streamer/s']);
  });

  it('streams a completion as server-sent chunks, the same text as without streaming', async () => {
    const messages = [{ role: 'user' as const, content: `${TEXT} ${TEXT.toUpperCase()}` }];
    const whole = await client.chat.completions.create({ model: 'streamer/s', messages, max_tokens: 60 });
    const stream = await client.chat.completions.create({
      model: 'streamer/s',
      messages,
      max_tokens: 60,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finishReason: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(chunks).toBeGreaterThan(3);
    expect(finishReason).toBe('stop');
    expect(usage?.total_tokens).toBe(whole.usage!.total_tokens);
  });

  it('falls back when a stream fails before its first token', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'summarize', messages: [{ role: 'user', content: TEXT }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(TEXT).toContain(text.split('. ')[0]!);
    const jobId = response.headers.get('x-switchyard-job-id')!;
    expect((await services.broker.get(jobId))?.attempts.map((attempt) => attempt.outcome)).toEqual([
      'server_error',
      'succeeded',
    ]);
  });

  it('surfaces errors as OpenAI SDK errors with Switchyard codes', async () => {
    const error = await client.chat.completions
      .create({ model: 'nowhere', messages: [{ role: 'user', content: TEXT }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('unknown_route');
    const unauthorized = new OpenAI({
      baseURL: client.baseURL,
      apiKey: 'wrong-key-000000000000',
      maxRetries: 0,
    });
    await expect(unauthorized.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('round-trips files and batches', async () => {
    const lines = ['one', 'two', 'three'].map((name) =>
      JSON.stringify({
        custom_id: name,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'gem/g', messages: [{ role: 'user', content: `${name}: ${TEXT}` }] },
      }),
    );
    const file = await client.files.create({
      file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'batch.jsonl'),
      purpose: 'batch',
    });
    expect(file.object).toBe('file');
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const done = await eventually(async () => {
      const current = await client.batches.retrieve(batch.id);
      return current.status === 'completed' ? current : undefined;
    });
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    const output = await (await client.files.content(done.output_file_id!)).text();
    const byId = Object.fromEntries(
      output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { custom_id: string; response: { body: OpenAI.ChatCompletion } })
        .map((line) => [line.custom_id, line.response.body.choices[0]!.message.content]),
    );
    expect(Object.keys(byId).sort()).toEqual(['one', 'three', 'two']);
    const list = await client.batches.list();
    expect(list.data.map((entry) => entry.id)).toContain(batch.id);
  });
});
