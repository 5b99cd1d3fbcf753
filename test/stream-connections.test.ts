import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';
import { REDIS_URL } from './support/redis-prefix.ts';

// Streaming clients share one Redis connection per API process, however many there are.

const KEY = 'streams-key-0123456789abcdef';
const STREAMS = 20;

let harness: Harness;
let client: OpenAI;
let probe: Redis;

beforeAll(async () => {
  harness = await startHarness({
    providers: [
      {
        id: 'slow-stream',
        format: 'openai',
        models: [{ name: 's', contextWindow: 8_000 }],
        simulator: { latency: { kind: 'fixed', ms: 1_500 } },
        switchyard: { concurrency: STREAMS },
      },
    ],
    routes: { main: { targets: ['slow-stream/s'] } },
    auth: { apiKeys: [{ key: KEY, tenant: 'streams' }] },
    listen: true,
  });
  client = new OpenAI({ baseURL: `${harness.origin}/v1`, apiKey: KEY, maxRetries: 0 });
  probe = new Redis(REDIS_URL);
});

afterAll(async () => {
  await probe?.quit();
  await harness?.close();
});

/** Redis clients whose name is this app's stream connection. */
async function streamConnections(): Promise<number> {
  const clients = (await probe.client('LIST')) as string;
  return clients.split('\n').filter((line) => line.includes(` name=${harness.prefix}:streams `)).length;
}

describe('streaming clients', () => {
  it(`${STREAMS} streams at once read over one Redis connection, each getting its whole answer`, async () => {
    const texts = Array.from(
      { length: STREAMS },
      (_, index) => `Report ${index}. The river rose. Crews worked.`,
    );
    const running = texts.map(async (content) => {
      const stream = await client.chat.completions.create({
        model: 'main',
        messages: [{ role: 'user', content }],
        max_tokens: 40,
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    });
    // While every stream waits on the slow provider, one connection reads them all.
    await until(async () => (await streamConnections()) === 1, { message: 'the shared stream connection' });
    const answers = await Promise.all(running);
    expect(await streamConnections()).toBe(1);
    for (const [index, answer] of answers.entries()) expect(texts[index]).toContain(answer.split('. ')[0]!);
  }, 30_000);
});
