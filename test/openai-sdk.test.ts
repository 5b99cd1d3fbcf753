import { countTokens } from '@switchyard/provider-sim';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../apps/provider-sim/src/summarize.ts';
import { type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// Switchyard as a drop-in for code that uses the official OpenAI SDK.

const KEY = 'sdk-key-0123456789abcdef';
const TEXT =
  'The library opened a new wing. It holds maps from four centuries. Visitors may read them on weekdays.';

let harness: Harness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startHarness({
    providers: [
      {
        id: 'broken',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 8_000 }],
        simulator: { failures: { serverError: 1 } },
      },
      { id: 'gem', format: 'gemini', models: [{ name: 'g', contextWindow: 8_000 }] },
      { id: 'streamer', format: 'openai', models: [{ name: 's', contextWindow: 8_000 }] },
    ],
    routes: { summarize: { targets: ['broken/m', 'gem/g'] } },
    auth: { apiKeys: [{ key: KEY, tenant: 'sdk' }] },
    config: { scheduling: { retriesPerTarget: 0 } },
    listen: true,
  });
  client = new OpenAI({ baseURL: `${harness.origin}/v1`, apiKey: KEY, maxRetries: 0 });
});

afterAll(() => harness?.close());

describe('the openai SDK against Switchyard', () => {
  it('creates a chat completion through the queues, falling back past a failing provider', async () => {
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'summarize', messages: [{ role: 'user', content: TEXT }], max_tokens: 40 })
      .withResponse();
    expect(completion.object).toBe('chat.completion');
    // The model the client named; who served it is Switchyard's own field.
    expect(completion.model).toBe('summarize');
    expect((completion as unknown as { switchyard: unknown }).switchyard).toEqual({
      provider: 'gem',
      model: 'g',
      job_id: expect.any(String),
    });
    // The simulator's deterministic summary and token counts, passed through unchanged.
    const summary = summarize(TEXT, 40);
    expect(TEXT).toContain(completion.choices[0]!.message.content!.split('. ')[0]!);
    expect(completion.choices[0]!.message.content).toBe(summary.text);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: countTokens(TEXT),
      completion_tokens: summary.outputTokens,
      total_tokens: countTokens(TEXT) + summary.outputTokens,
    });
    const jobId = response.headers.get('x-switchyard-job-id')!;
    const job = await harness.services.broker.get(jobId);
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
    expect((await harness.services.broker.get(jobId))?.attempts.map((attempt) => attempt.outcome)).toEqual([
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
    const done = await until(
      async () => {
        const current = await client.batches.retrieve(batch.id);
        return current.status === 'completed' && current;
      },
      { message: `batch ${batch.id} to complete` },
    );
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
