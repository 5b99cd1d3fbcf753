import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './create-simulator.ts';
import { send } from './test-support.ts';

// A provider that counts per key: each key of `apiKeys` has its own windows and daily cap.

const model = { name: 'm', contextWindow: 100_000 };
const clock = 1_700_000_000_000;
let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({
    now: () => clock,
    providers: [
      {
        id: 'pooled',
        format: 'openai',
        apiKey: 'key-main-0000',
        apiKeys: [
          'key-second-000',
          'key-third-0000',
          { key: 'key-project-a1', account: 'a' },
          { key: 'key-project-a2', account: 'a' },
        ],
        models: [model],
        limits: [{ requests: 2, per: '1m' }],
        dailyCap: { requests: 3 },
      },
    ],
  });
});

afterAll(async () => {
  await simulator?.close();
});

function complete(key: string) {
  return send(`${simulator.baseUrlFor('pooled')}/chat/completions`, {
    body: { model: 'm', messages: [{ role: 'user', content: 'Hello.' }] },
    headers: { authorization: `Bearer ${key}` },
  });
}

it('counts each key on its own and refuses an unknown one', async () => {
  const statuses = async (key: string, count: number) => {
    const results: number[] = [];
    for (let index = 0; index < count; index += 1) results.push((await complete(key)).status);
    return results;
  };
  expect(await statuses('key-main-0000', 3)).toEqual([200, 200, 429]);
  expect(await statuses('key-second-000', 3)).toEqual([200, 200, 429]);
  const third = await complete('key-third-0000');
  expect(third.status).toBe(200);
  expect(third.headers.get('x-ratelimit-remaining-requests')).toBe('1');
  expect((await complete('key-unknown-00')).status).toBe(401);
  // Two keys of one account share its counters.
  expect(await statuses('key-project-a1', 1)).toEqual([200]);
  expect(await statuses('key-project-a2', 2)).toEqual([200, 429]);
  simulator.reset();
  expect(await statuses('key-second-000', 2)).toEqual([200, 200]);
});

it('resets a fixed window at resetsAt and every period from it', async () => {
  const fixed = await startSimulator({
    now: () => clock,
    providers: [
      {
        id: 'fixed',
        format: 'openai',
        models: [model],
        limits: [{ requests: 1, per: 1_000, resetsAt: clock - 10_300 }],
      },
    ],
  });
  try {
    const call = () =>
      send(`${fixed.baseUrlFor('fixed')}/chat/completions`, {
        body: { model: 'm', messages: [{ role: 'user', content: 'Hello.' }] },
      });
    expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    // The period began 300 ms ago: it ends in 700 ms, not a whole window after the call.
    expect(refused.headers.get('retry-after-ms') ?? refused.headers.get('retry-after')).toMatch(/^(700|1)$/);
  } finally {
    await fixed.close();
  }
});
