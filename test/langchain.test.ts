import type { AddressInfo } from 'node:net';
import { type AIMessageChunk, HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { buildApp } from '@switchyard/app/app';
import { createServices, type Services } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';
import { createToolCallingAdapter } from './support/tool-calling-adapter.ts';

// Switchyard as the endpoint of LangChain's ChatOpenAI: invoke, stream, batch, tools bound
// and called round trip (streamed too), structured output and images. The provider is a real
// adapter written for the test (see tool-calling-adapter.ts).

const KEY = 'langchain-key-0123456789abcdef';
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ';

let services: Services;
let app: Awaited<ReturnType<typeof buildApp>>;
let model: ChatOpenAI;
const prefix = testPrefix();
const adapter = createToolCallingAdapter('lc');

const weather = tool(async ({ city }: { city: string }) => `sunny (asked for ${city})`, {
  name: 'weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string() }),
});

beforeAll(async () => {
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        {
          id: 'lc',
          kind: 'openai',
          baseUrl: 'http://127.0.0.1:9/v1',
          models: [{ name: 'm', contextWindow: 8_000 }],
        },
      ],
      routes: { assistant: { targets: ['lc/m'] } },
      redis: { url: REDIS_URL, prefix },
      auth: { apiKeys: [{ key: KEY, tenant: 'langchain' }] },
    },
    {},
  );
  services = createServices(config, { adapters: new Map([[adapter.id, adapter]]) });
  await services.startWorkers();
  app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  model = new ChatOpenAI({
    model: 'assistant',
    apiKey: KEY,
    configuration: { baseURL: `http://127.0.0.1:${port}/v1` },
    maxRetries: 0,
  });
});

afterAll(async () => {
  await app.close();
  await services.close();
  await deleteKeys(prefix);
});

describe('LangChain ChatOpenAI against Switchyard', () => {
  it('invokes, streams and batches', async () => {
    const answer = await model.invoke('hello there');
    expect(answer.content).toBe('Echo: hello there');
    expect(answer.response_metadata.model_name).toBe('assistant');

    let streamed = '';
    let chunks = 0;
    for await (const chunk of await model.stream('one two three')) {
      streamed += chunk.content;
      chunks++;
    }
    expect(streamed).toBe('Echo: one two three');
    expect(chunks).toBeGreaterThan(3);

    const answers = await model.batch(['a', 'b', 'c']);
    expect(answers.map((message) => message.content)).toEqual(['Echo: a', 'Echo: b', 'Echo: c']);
  });

  it('binds a tool and runs the round trip, invoked and streamed', async () => {
    const withTools = model.bindTools([weather]);
    const question = new HumanMessage('Weather in Paris?');
    const call = await withTools.invoke([question]);
    expect(call.tool_calls).toEqual([
      { id: expect.any(String), name: 'weather', args: { city: 'Paris' }, type: 'tool_call' },
    ]);
    const result = await weather.invoke(call.tool_calls![0]!);
    const final = await withTools.invoke([question, call, result]);
    expect(final.content).toBe('It is sunny (asked for Paris) in Paris.');

    let gathered: AIMessageChunk | undefined;
    for await (const chunk of await withTools.stream([question]))
      gathered = gathered ? gathered.concat(chunk) : chunk;
    expect(gathered?.tool_calls).toEqual([
      { id: expect.any(String), name: 'weather', args: { city: 'Paris' }, type: 'tool_call' },
    ]);
  });

  it('returns structured output through a strict JSON schema', async () => {
    const book = model.withStructuredOutput(z.object({ title: z.string(), year: z.number().int() }), {
      name: 'book',
      method: 'jsonSchema',
      strict: true,
    });
    expect(await book.invoke('A book?')).toEqual({ title: 'Dune', year: 1965 });
    const request = adapter.requests.at(-1)!;
    expect(request.responseFormat).toMatchObject({ type: 'json_schema', name: 'book', strict: true });
  });

  it('sends an image', async () => {
    const answer = await model.invoke([
      new HumanMessage({
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: PIXEL } },
        ],
      }),
    ]);
    expect(answer.content).toBe('I see 1 image(s): data');
  });
});
