import { createBrokerFor } from '@switchyard/app/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from './support/poll.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// Bull Board counts what a provider queue holds: finished entries are kept for a while
// (queues.keepCompleted), so the board shows recent work instead of "0 Jobs".

const TEXT = 'The tide turned at noon. Boats left the harbour. The market closed early.';
let simulator: Simulator;
const prefixes: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [{ id: 'sim', format: 'openai', models: [{ name: 'm', contextWindow: 8_000 }] }],
  });
});

afterAll(async () => {
  await simulator.close();
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

async function completedAfter(jobs: number, queues?: Record<string, unknown>): Promise<number> {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        {
          id: 'sim',
          kind: 'openai',
          baseUrl: simulator.baseUrlFor('sim'),
          models: [{ name: 'm', contextWindow: 8_000 }],
          concurrency: 4,
        },
      ],
      routes: { main: { targets: ['sim/m'] } },
      redis: { url: REDIS_URL, prefix },
      ...(queues ? { queues } : {}),
    },
    {},
  );
  const broker = createBrokerFor(config);
  try {
    await broker.startWorkers();
    const submitted = await Promise.all(
      Array.from({ length: jobs }, (_, index) =>
        broker.submit({
          tenant: 't',
          route: 'main',
          messages: [{ role: 'user', content: `${TEXT} ${index}` }],
        }),
      ),
    );
    for (const job of submitted) expect((await broker.waitFor(job.id, 10_000))?.status).toBe('succeeded');
    // A job's record is terminal just before its queue entry completes: wait for the entries.
    const queue = broker.queue(broker.keys.providerQueue('sim'));
    await until(async () => (await queue.getJobCounts('active')).active === 0, {
      message: 'every provider-queue entry to finish',
    });
    const counts = await queue.getJobCounts('completed');
    return counts.completed ?? 0;
  } finally {
    await broker.close();
  }
}

it('keeps finished provider-queue entries: by default all recent ones, else the newest `count`', async () => {
  expect(await completedAfter(6)).toBe(6);
  expect(await completedAfter(6, { keepCompleted: { count: 2, age: '1h' } })).toBe(2);
});

it('refuses a keepCompleted that is not a count and a duration', () => {
  expect(() =>
    parseConfig({ presets: 'off', queues: { keepCompleted: { count: -1, age: 'soon' } } }, {}),
  ).toThrow(/queues\.keepCompleted\.(count|age)/);
});
