import { type AIMessageChunk, HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { countTokens } from '../apps/provider-sim/src/count-tokens.ts';
import { summarize } from '../apps/provider-sim/src/summarize.ts';
import { type Harness, startHarness } from './support/app-harness.ts';

// Switchyard as the endpoint of LangChain's ChatOpenAI, on a route of each wire format of the
// provider simulator: invoke, stream, batch, a tool bound and called round trip (streamed too),
// structured output and an image. The simulator answers deterministically (docs/providers.md):
// text is summarized extractively, a tool offered is called with arguments built from its
// schema and the user's text, a tool result is answered `Tool result: <result>`.

const KEY = 'langchain-key-0123456789abcdef';
const FORMATS = ['openai', 'anthropic', 'gemini'] as const;
/** A 1x1 PNG. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** Long enough that the simulator streams its summary in several pieces. */
const TEXT = [
  'The harbour opened a new ferry line to the islands this spring.',
  'The ferry line carries commuters and tourists across the bay every hour.',
  'Residents near the harbour asked the council for quieter nights.',
].join(' ');

const weather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
  name: 'weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string() }),
});

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    providers: FORMATS.map((format) => ({
      id: format,
      format,
      models: [{ name: 'm', contextWindow: 16_000 }],
    })),
    routes: Object.fromEntries(FORMATS.map((format) => [format, { targets: [`${format}/m`] }])),
    auth: { apiKeys: [{ key: KEY, tenant: 'langchain' }] },
    listen: true,
  });
});

afterAll(() => harness?.close());

describe.each(FORMATS)('LangChain ChatOpenAI on a %s route', (format) => {
  const chat = () =>
    new ChatOpenAI({
      model: format,
      apiKey: KEY,
      configuration: { baseURL: `${harness.origin}/v1` },
      maxRetries: 0,
    });
  /** What the simulator answers to a tool result: Gemini carries it as a JSON object. */
  const toolAnswer = (result: string) =>
    `Tool result: ${format === 'gemini' ? JSON.stringify({ content: result }) : result}`;

  it('invokes, streams and batches', async () => {
    const model = chat();
    const answer = await model.invoke(TEXT);
    expect(answer.content).toBe(summarize(TEXT, 256).text);
    expect(answer.response_metadata.model_name).toBe(format);

    let streamed = '';
    let chunks = 0;
    for await (const chunk of await model.stream(TEXT)) {
      streamed += chunk.content;
      chunks++;
    }
    expect(streamed).toBe(answer.content);
    expect(chunks).toBeGreaterThan(3);

    const answers = await model.batch(['One short line.', 'Another short line.', 'A third line.']);
    expect(answers.map((message) => message.content)).toEqual([
      'One short line.',
      'Another short line.',
      'A third line.',
    ]);
  });

  it('binds a tool and runs the round trip, invoked and streamed', async () => {
    const withTools = chat().bindTools([weather]);
    const question = new HumanMessage('Oslo');
    const call = await withTools.invoke([question]);
    expect(call.tool_calls).toEqual([
      { id: expect.any(String), name: 'weather', args: { city: 'Oslo' }, type: 'tool_call' },
    ]);
    const result = await weather.invoke(call.tool_calls![0]!);
    const final = await withTools.invoke([question, call, result]);
    expect(final.content).toBe(toolAnswer('sunny in Oslo'));

    let gathered: AIMessageChunk | undefined;
    for await (const chunk of await withTools.stream([question]))
      gathered = gathered ? gathered.concat(chunk) : chunk;
    expect(gathered?.tool_calls).toEqual([
      { id: expect.any(String), name: 'weather', args: { city: 'Oslo' }, type: 'tool_call' },
    ]);
    const streamedResult = await weather.invoke(gathered!.tool_calls![0]!);
    let streamedAnswer = '';
    for await (const chunk of await withTools.stream([question, gathered!, streamedResult]))
      streamedAnswer += chunk.content;
    expect(streamedAnswer).toBe(toolAnswer('sunny in Oslo'));
  });

  it('returns structured output through a strict JSON schema', async () => {
    const book = chat().withStructuredOutput(z.object({ title: z.string(), year: z.number().int() }), {
      name: 'book',
      method: 'jsonSchema',
      strict: true,
    });
    // Strings are the prompt's first words, integers its word count.
    expect(await book.invoke('A classic novel about sand')).toEqual({
      title: 'A classic novel about sand',
      year: 5,
    });
  });

  it('sends an image', async () => {
    const answer = await chat().invoke([
      new HumanMessage({
        content: [
          { type: 'text', text: 'A red pixel.' },
          { type: 'image_url', image_url: { url: PIXEL } },
        ],
      }),
    ]);
    expect(answer.content).toBe('A red pixel.');
    // The image was carried: the simulator counts it by its provider's rule (for 1x1 pixel).
    const imageTokens = { openai: 255, anthropic: 1, gemini: 258 }[format];
    expect(answer.usage_metadata?.input_tokens).toBe(countTokens('A red pixel.') + imageTokens);
  });
});
