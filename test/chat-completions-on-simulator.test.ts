import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { toFile } from 'openai';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../apps/provider-sim/src/count-tokens.ts';
import { bearer, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// The OpenAI chat completion surface beyond text, through the official SDK, against routes of
// each wire format on the provider simulator: tools round trip (streamed too), strict structured
// output, images, jobs, batch lines and webhooks with tool calls, and a stream that breaks
// mid-answer. The simulator answers deterministically (docs/providers.md): a tool offered is
// called with arguments built from its schema and the user's text, a tool result is answered
// `Tool result: <result>`, and a JSON schema gets an object built the same way.

const KEY = 'sim-parity-key-0123456789abcdef';
const SECRET = 'whsec_c3dpdGNoeWFyZC1wYXJpdHktd2ViaG9vay1zZWNyZXQ=';
const FORMATS = ['openai', 'anthropic', 'gemini'] as const;
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
/** A 1x1 PNG. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** Long enough that the simulator streams it in many pieces. */
const LONG_TEXT = Array.from(
  { length: 12 },
  (_, index) => `Sentence ${index} tells of the harbour, its ferries and the night.`,
).join(' ');

/** What the simulator answers to a tool result: Gemini carries it as a JSON object. */
const toolAnswer = (format: (typeof FORMATS)[number], result: string) =>
  `Tool result: ${format === 'gemini' ? JSON.stringify({ content: result }) : result}`;

type Served = { switchyard: { provider: string; model: string; job_id: string } };

let harness: Harness;
let client: OpenAI;
let receiver: Server;
let callbackUrl: string;
const deliveries: { verified: boolean; data: { id: string; result?: { tool_calls?: unknown[] } } }[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      let verified = true;
      try {
        new Webhook(SECRET).verify(body, request.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      deliveries.push({ verified, ...(JSON.parse(body) as { data: (typeof deliveries)[number]['data'] }) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  harness = await startHarness({
    providers: FORMATS.flatMap((format) => [
      { id: format, format, models: [{ name: 'm', contextWindow: 16_000 }] },
      // Every answer of this one is cut halfway through its stream (or its body).
      {
        id: `${format}-cut`,
        format,
        models: [{ name: 'm', contextWindow: 16_000 }],
        simulator: { failures: { malformed: 1 } },
      },
    ]),
    routes: Object.fromEntries(FORMATS.map((format) => [format, { targets: [`${format}/m`] }])),
    auth: { apiKeys: [{ key: KEY, tenant: 'sim-parity' }] },
    config: { scheduling: { retriesPerTarget: 0 }, webhooks: { secret: SECRET, allowPrivateNetworks: true } },
    listen: true,
  });
  client = new OpenAI({ baseURL: `${harness.origin}/v1`, apiKey: KEY, maxRetries: 0 });
});

afterAll(async () => {
  await harness?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe.each(FORMATS)('chat completions through the openai SDK on a %s route', (format) => {
  const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Weather in Paris?' };

  it('runs a full tool round trip: the model calls the tool, then answers with its result', async () => {
    const first = await client.chat.completions.create({
      model: format,
      messages: [question],
      tools: [WEATHER],
      tool_choice: 'auto',
    });
    const choice = first.choices[0]!;
    expect(first.model).toBe(format);
    expect((first as unknown as Served).switchyard).toMatchObject({ provider: format, model: 'm' });
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    // The simulator fills the required string with the user's first words.
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.any(String),
        type: 'function',
        function: { name: 'weather', arguments: '{"city":"Weather in Paris?"}' },
      },
    ]);
    const call = choice.message.tool_calls![0]!;
    const second = await client.chat.completions.create({
      model: format,
      messages: [question, choice.message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 °C' }],
      tools: [WEATHER],
    });
    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(second.choices[0]!.message.content).toBe(toolAnswer(format, 'sunny, 21 °C'));
  });

  it('streams the tool call, which the SDK stream helper assembles, and the answer to its result', async () => {
    const final = await client.chat.completions
      .stream({
        model: format,
        messages: [question],
        tools: [WEATHER],
        stream_options: { include_usage: true },
      })
      .finalChatCompletion();
    expect(final.model).toBe(format);
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.any(String),
        type: 'function',
        function: {
          name: 'weather',
          arguments: '{"city":"Weather in Paris?"}',
          parsed_arguments: { city: 'Weather in Paris?' },
        },
      },
    ]);
    expect(final.usage?.completion_tokens).toBe(countTokens('{"city":"Weather in Paris?"}'));

    const call = choice.message.tool_calls![0]!;
    let text = '';
    const answer = client.chat.completions.stream({
      model: format,
      messages: [
        question,
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'sunny' },
      ],
      tools: [WEATHER],
    });
    answer.on('content', (delta) => {
      text += delta;
    });
    expect((await answer.finalChatCompletion()).choices[0]!.message.content).toBe(
      toolAnswer(format, 'sunny'),
    );
    expect(text).toBe(toolAnswer(format, 'sunny'));
  });

  it('answers JSON that keeps a strict schema', async () => {
    const completion = await client.chat.completions.parse({
      model: format,
      messages: [{ role: 'user', content: 'A classic novel about sand' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'book', schema: BOOK_SCHEMA, strict: true },
      },
    });
    // Strings are the prompt's first words, integers its word count.
    expect(completion.choices[0]!.message.parsed).toEqual({ title: 'A classic novel about sand', year: 5 });
  });

  it('takes an image as a data URL', async () => {
    const completion = await client.chat.completions.create({
      model: format,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'A red pixel.' },
            { type: 'image_url', image_url: { url: PIXEL, detail: 'low' } },
          ],
        },
      ],
    });
    // The simulator summarizes the text and counts the image by its provider's rule.
    expect(completion.choices[0]!.message.content).toBe('A red pixel.');
    const imageTokens = { openai: 85, anthropic: 1, gemini: 258 }[format];
    expect(completion.usage!.prompt_tokens).toBe(countTokens('A red pixel.') + imageTokens);
  });

  it('runs a job with tools, shows its tool calls and sends them in the webhook', async () => {
    const submitted = await harness.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: bearer(KEY),
      payload: {
        route: format,
        prompt: 'Weather in Oslo?',
        tools: [WEATHER],
        tool_choice: { type: 'function', function: { name: 'weather' } },
        callback_url: `${callbackUrl}/${format}`,
      },
    });
    expect(submitted.statusCode, submitted.body).toBe(202);
    const { id } = submitted.json<{ id: string }>();
    const view = await harness.app.inject({ url: `/v1/jobs/${id}?wait=10`, headers: bearer(KEY) });
    const toolCalls = [{ id: expect.any(String), name: 'weather', arguments: '{"city":"Weather in Oslo?"}' }];
    expect(view.json()).toMatchObject({
      status: 'succeeded',
      result: { finish_reason: 'tool_calls', tool_calls: toolCalls },
    });
    const delivery = await until(() => deliveries.find((entry) => entry.data.id === id), {
      message: `the webhook of job ${id}`,
    });
    expect(delivery.verified).toBe(true);
    expect(delivery.data.result?.tool_calls).toEqual(view.json().result.tool_calls);
  });

  it('runs a batch line with tools, its output line holding the tool calls', async () => {
    const line = JSON.stringify({
      custom_id: `weather-${format}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: format, messages: [question], tools: [WEATHER], tool_choice: 'required' },
    });
    const file = await client.files.create({
      file: await toFile(Buffer.from(`${line}\n`), 'tools.jsonl'),
      purpose: 'batch',
    });
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
    expect(done.request_counts).toEqual({ total: 1, completed: 1, failed: 0 });
    const output = JSON.parse(await (await client.files.content(done.output_file_id!)).text()) as {
      custom_id: string;
      response: { status_code: number; body: OpenAI.ChatCompletion & Served };
    };
    expect(output).toMatchObject({
      custom_id: `weather-${format}`,
      response: {
        status_code: 200,
        body: {
          model: format,
          switchyard: { provider: format, model: 'm' },
          choices: [
            {
              finish_reason: 'tool_calls',
              message: {
                content: null,
                tool_calls: [
                  {
                    type: 'function',
                    function: { name: 'weather', arguments: '{"city":"Weather in Paris?"}' },
                  },
                ],
              },
            },
          ],
        },
      },
    });
  });

  it('ends a stream that breaks mid-answer with an error event the SDK raises', async () => {
    const stream = await client.chat.completions.create({
      model: `${format}-cut/m`,
      messages: [{ role: 'user', content: LONG_TEXT }],
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((caught: unknown) => caught);
    // Some of the answer arrived before the break, then the SDK raised the error event.
    expect(text.length).toBeGreaterThan(0);
    expect(LONG_TEXT).toContain(text.trim());
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toEqual({
      code: 'stream_interrupted',
      message: expect.stringMatching(/^the stream broke after \d+ chunks: .+-cut: the stream ended before /),
    });
  });
});
