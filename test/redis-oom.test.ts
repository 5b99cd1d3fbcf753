import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from './support/chaos-redis.ts';
import { until } from './support/poll.ts';
import { testPrefix } from './support/redis-prefix.ts';
import { type SwitchyardProcess, startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// Redis at its `maxmemory` with `noeviction` refuses every write with an OOM reply. A real
// Switchyard process (API and workers) on a Redis of the test's own must answer a coded 503
// (`storage_full`) meanwhile, never a 500, keep running, and serve again once memory frees.

const KEY = 'oom-test-key-0123456789';
let simulator: Simulator;
let server: RedisServer;
let redis: Redis;
let switchyard: SwitchyardProcess;
let api: string;

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [{ id: 'sim', format: 'openai', models: [{ name: 'm', contextWindow: 8_000 }] }],
  });
  server = await startRedisServer();
  redis = new Redis(server.url);
  switchyard = await startSwitchyard({
    SWITCHYARD_CONFIG: writeConfig({
      presets: 'off',
      providers: [
        {
          id: 'sim',
          kind: 'openai',
          baseUrl: simulator.baseUrlFor('sim'),
          models: [{ name: 'm', contextWindow: 8_000 }],
        },
      ],
      routes: { main: { targets: ['sim/m'] } },
      redis: { url: server.url, prefix: testPrefix() },
      auth: { apiKeys: [{ key: KEY, tenant: 't' }] },
      server: { port: 0 },
    }),
    SWITCHYARD_ROLE: 'all',
  });
  const ready = switchyard
    .output()
    .split('\n')
    .find((line) => line.includes('"msg":"ready"'))!;
  api = String((JSON.parse(ready) as { api: string }).api);
}, 60_000);

afterAll(async () => {
  await switchyard?.stop();
  await redis?.quit();
  await server?.destroy();
  await simulator?.close();
});

const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

function submit(prompt: string): Promise<Response> {
  return fetch(`${api}/jobs`, { method: 'POST', headers, body: JSON.stringify({ route: 'main', prompt }) });
}

async function usedMemory(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

/**
 * Fills Redis with big values until a write is refused for memory, then lowers `maxmemory` a
 * little under what is used: Redis refuses writes only while usage is over the limit, and the
 * buffers it frees after a big write would otherwise let small writes through again.
 */
async function fillUntilFull(): Promise<number> {
  await redis.config('SET', 'maxmemory', String((await usedMemory()) + 4 * 1024 * 1024));
  const chunk = 'x'.repeat(256 * 1024);
  for (let index = 0; ; index++) {
    try {
      await redis.set(`filler:${index}`, chunk);
    } catch (error) {
      expect(String(error)).toMatch(/OOM command not allowed/);
      await redis.config('SET', 'maxmemory', String((await usedMemory()) - 512 * 1024));
      return index;
    }
  }
}

describe('Redis out of memory', () => {
  it('answers a coded 503 while Redis is full, stays up, and serves again once memory frees', async () => {
    const before = await submit('Before the flood. One sentence.');
    expect(before.status).toBe(202);
    const { id: beforeId } = (await before.json()) as { id: string };

    const filled = await fillUntilFull();
    expect(filled).toBeGreaterThan(0);

    // Writes refused: every submission gets the same coded 503 with Retry-After, never a 500.
    const statuses: number[] = [];
    const codes = new Set<string>();
    for (let index = 0; index < 30; index++) {
      const response = await submit(`During the flood ${index}. One sentence.`);
      statuses.push(response.status);
      const body = (await response.json()) as { error?: { code: string } };
      if (response.status === 503) {
        expect(response.headers.get('retry-after')).toBe('5');
        codes.add(body.error!.code);
      }
    }
    expect(statuses).toEqual(statuses.map(() => 503));
    expect([...codes]).toEqual(['storage_full']);
    // Reads still work while writes are refused.
    const read = await fetch(`${api}/jobs/${beforeId}`, { headers });
    expect(read.status).toBe(200);
    // The workers' background loops hit the same refusals meanwhile (the scheduler, the
    // stalled checks); the process must still be there.
    await until(async () => (await fetch(`${api}/jobs/${beforeId}`, { headers })).status === 200, {
      message: 'the API to answer while Redis is full',
    });
    expect(switchyard.child.exitCode).toBeNull();

    // Memory frees: a new job is accepted and succeeds, and the job from before ends too.
    await redis.config('SET', 'maxmemory', '0');
    const after = await until(
      async () => {
        const response = await submit('After the flood. One sentence.');
        return response.status === 202 && response;
      },
      { message: 'a submission to be accepted again' },
    );
    const { id } = (await after.json()) as { id: string };
    const done = (await (await fetch(`${api}/jobs/${id}?wait=20`, { headers })).json()) as { status: string };
    expect(done.status).toBe('succeeded');
    const earlier = (await (await fetch(`${api}/jobs/${beforeId}?wait=20`, { headers })).json()) as {
      status: string;
    };
    expect(earlier.status).toBe('succeeded');
    expect(switchyard.child.exitCode).toBeNull();
    expect(switchyard.output()).not.toContain('unhandled promise rejection');
    expect(switchyard.output()).not.toContain('"level":60');
  }, 60_000);
});
