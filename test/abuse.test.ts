import { readFileSync } from 'node:fs';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from './support/chaos-redis.ts';
import { testPrefix } from './support/redis-prefix.ts';
import { type SwitchyardProcess, startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// One tenant abuses the API — floods jobs, polls and streams, and sends hostile input — while
// another tenant's jobs must still meet their deadlines. A real Switchyard process (API and
// workers) on a Redis of the test's own, so its memory can be measured alone. The bounds
// (docs/security.md): no 5xx, no crash, the process under 512 MB RSS, Redis under 128 MB.

const FLOOD_KEY = 'flood-key-0123456789';
/** The same attacker's second account, for the hostile probes (limits are per tenant). */
const PROBE_KEY = 'probe-key-0123456789';
const VICTIM_KEY = 'victim-key-0123456789';
/** The flooding tenant's own limits, low enough that the flood meets them. */
const FLOOD_LIMITS = { requestsPerSecond: 150, streams: 10 };
const RSS_BOUND_MB = 512;
const REDIS_BOUND_MB = 128;
const FLOOD_JOBS = 1_500;
const FLOOD_STREAMS = 100;
const FLOOD_POLLS = 1_000;
const VICTIM_JOBS = 10;

let simulator: Simulator;
let server: RedisServer;
let redis: Redis;
let switchyard: SwitchyardProcess;
let api: string;

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      {
        id: 'sim',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 32_000 }],
        latency: { kind: 'fixed', ms: 5 },
      },
    ],
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
          models: [{ name: 'm', contextWindow: 32_000 }],
          concurrency: 32,
        },
      ],
      routes: { main: { targets: ['sim/m'] } },
      redis: { url: server.url, prefix: testPrefix() },
      auth: {
        apiKeys: [
          { key: FLOOD_KEY, tenant: 'flood' },
          { key: PROBE_KEY, tenant: 'probe' },
          { key: VICTIM_KEY, tenant: 'victim' },
        ],
      },
      tenants: { flood: { limits: FLOOD_LIMITS } },
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

const statuses: number[] = [];
/** Error codes each key was answered with. */
const codes = new Map<string, string[]>();

async function call(
  key: string,
  path: string,
  init: { method?: string; body?: string } = {},
): Promise<Response> {
  const response = await fetch(`${api}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: init.body,
  });
  statuses.push(response.status);
  if (response.status >= 400) {
    const { error } = (await response.clone().json()) as { error?: { code?: string } };
    codes.set(key, [...(codes.get(key) ?? []), error?.code ?? String(response.status)]);
  }
  return response;
}

/** Runs `count` calls of `task`, `parallel` at a time. */
async function pool(count: number, parallel: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function redisMb(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]) / 1024 / 1024;
}

describe('abuse', () => {
  it("one tenant's flood and hostile input leave another tenant's deadlines, the process and Redis intact", async () => {
    const pid = switchyard.child.pid!;
    let peakRss = rssMb(pid);
    const sampler = setInterval(() => {
      if (switchyard.child.exitCode === null) peakRss = Math.max(peakRss, rssMb(pid));
    }, 100);
    const started = Date.now();
    const floodIds: string[] = [];
    const hostile: Record<string, number> = {};

    const flood = Promise.all([
      pool(FLOOD_JOBS, 40, async (index) => {
        const response = await call(FLOOD_KEY, '/jobs', {
          method: 'POST',
          body: JSON.stringify({ route: 'main', prompt: `Flood ${index}. One sentence. Another one.` }),
        });
        if (response.status === 202) floodIds.push(((await response.json()) as { id: string }).id);
        else await response.body?.cancel();
      }),
      pool(FLOOD_POLLS, 20, async (index) => {
        const id = floodIds[index % Math.max(1, floodIds.length)] ?? 'job_unknown';
        const response = await call(FLOOD_KEY, `/jobs/${id}`);
        await response.body?.cancel();
      }),
      pool(FLOOD_STREAMS, 20, async (index) => {
        const response = await call(FLOOD_KEY, '/chat/completions', {
          method: 'POST',
          body: JSON.stringify({
            model: 'main',
            stream: true,
            messages: [{ role: 'user', content: `Stream ${index}. One sentence.` }],
          }),
        });
        await response.text();
      }),
      (async () => {
        // ReDoS probe against the personal-data patterns: a million characters of `a@a@…`.
        const redos = await call(PROBE_KEY, '/jobs', {
          method: 'POST',
          body: JSON.stringify({ route: 'main', prompt: 'a@'.repeat(500_000) }),
        });
        hostile.redos = redos.status;
        await redos.body?.cancel();
        const deadline = await call(PROBE_KEY, '/jobs', {
          method: 'POST',
          body: JSON.stringify({ route: 'main', prompt: 'Late.', deadline: '9999999999999999w' }),
        });
        hostile.deadline = deadline.status;
        await deadline.body?.cancel();
        const nested = await call(PROBE_KEY, '/jobs', {
          method: 'POST',
          body: `{"route":"main","prompt":"Deep.","metadata":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
        });
        hostile.nested = nested.status;
        await nested.body?.cancel();
      })(),
    ]);

    // Meanwhile the other tenant submits jobs with a 30 s deadline.
    const victims = await Promise.all(
      Array.from({ length: VICTIM_JOBS }, async (_, index) => {
        const response = await call(VICTIM_KEY, '/jobs', {
          method: 'POST',
          body: JSON.stringify({ route: 'main', prompt: `Victim ${index}. One sentence.`, deadline: '30s' }),
        });
        expect(response.status).toBe(202);
        return (await response.json()) as { id: string };
      }),
    );
    const ended = await Promise.all(
      victims.map(async ({ id }) => {
        const response = await call(VICTIM_KEY, `/jobs/${id}?wait=40`);
        return (await response.json()) as { status: string; deadline: string; completed_at: string };
      }),
    );
    await flood;
    clearInterval(sampler);
    const elapsedMs = Date.now() - started;

    for (const job of ended) {
      expect(job.status).toBe('succeeded');
      expect(Date.parse(job.completed_at)).toBeLessThanOrEqual(Date.parse(job.deadline));
    }
    // Hostile input is refused with a coded 4xx, or (the ReDoS probe, within limits) accepted.
    expect(hostile.redos === 202 || (hostile.redos! >= 400 && hostile.redos! < 500)).toBe(true);
    expect(hostile.deadline).toBe(400);
    expect(hostile.nested).toBe(400);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    // The flood met its own tenant's limits; the other tenant met none.
    const floodCodes = codes.get(FLOOD_KEY) ?? [];
    expect(floodCodes.filter((code) => code === 'rate_limited').length).toBeGreaterThan(0);
    expect(new Set(floodCodes.filter((code) => code !== 'not_found'))).toEqual(
      new Set(['rate_limited', 'too_many_streams'].filter((code) => floodCodes.includes(code))),
    );
    expect(codes.get(VICTIM_KEY) ?? []).toEqual([]);
    expect(switchyard.child.exitCode).toBeNull();
    expect(switchyard.output()).not.toContain('unhandled promise rejection');
    const redisUsed = await redisMb();
    console.log(
      `abuse: ${statuses.length} requests in ${elapsedMs} ms; peak RSS ${peakRss.toFixed(0)} MB; Redis ${redisUsed.toFixed(1)} MB; hostile ${JSON.stringify(hostile)}`,
    );
    expect(peakRss).toBeLessThan(RSS_BOUND_MB);
    expect(redisUsed).toBeLessThan(REDIS_BOUND_MB);
  }, 60_000);
});
