import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/support/poll.ts';
import { type Simulator, startSimulator } from './create-simulator.ts';
import { CLIENTS, send } from './test-support.ts';

const model = { name: 'm', contextWindow: 10_000 };
let clock = 1_800_000_000_000;
let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({
    now: () => clock,
    providers: [
      { id: 'alpha', format: 'openai', models: [model], limits: [{ requests: 1, per: '1h' }] },
      {
        id: 'flaky',
        format: 'anthropic',
        models: [model],
        seed: 42,
        failures: { serverError: 0.3, unavailable: 0.2 },
        outages: [{ afterMs: '10s', durationMs: '5s', mode: 'unavailable' }],
      },
    ],
  });
});

afterAll(async () => {
  await simulator?.close();
});

const openaiAt = (baseUrl: string) =>
  send(CLIENTS.openai.generateUrl(baseUrl, 'm'), { body: CLIENTS.openai.body('m', 'Hi there.') });
const openai = (id: string) => openaiAt(simulator.baseUrlFor(id));
const anthropic = (id: string) =>
  send(CLIENTS.anthropic.generateUrl(simulator.baseUrlFor(id), 'm'), {
    body: CLIENTS.anthropic.body('m', 'Hi there.', 20),
  });

describe('control API', () => {
  it('reports stats for all providers and for one, with a bounded log', async () => {
    await openai('alpha');
    await openai('alpha');
    const all = await send(`${simulator.url}/_sim/stats`);
    expect(Object.keys(all.json)).toEqual(['alpha', 'flaky']);
    expect(all.json.alpha).toMatchObject({ requests: 2, succeeded: 1, rateLimited: 1, inFlight: 0 });
    const one = await send(`${simulator.url}/_sim/stats/alpha?log=1`);
    expect(one.json.log).toHaveLength(1);
    expect(one.json.log[0]).toMatchObject({ status: 429, outcome: 'rate_limited' });
    expect((await send(`${simulator.url}/_sim/stats/nobody`)).status).toBe(404);
  });

  it('resets counters and windows', async () => {
    expect((await send(`${simulator.url}/_sim/reset`, { method: 'POST' })).status).toBe(200);
    expect(simulator.stats('alpha')).toMatchObject({ requests: 0, log: [] });
    expect((await openai('alpha')).status).toBe(200);
  });

  it('patches a provider at runtime and validates the patch', async () => {
    simulator.reset();
    const patched = await send(`${simulator.url}/_sim/providers/alpha`, {
      method: 'PATCH',
      body: { limits: [{ requests: 2, per: '1h' }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.config.limits).toEqual([{ requests: 2, per: '1h' }]);
    expect((await openai('alpha')).status).toBe(200);
    expect((await openai('alpha')).status).toBe(200);
    expect((await openai('alpha')).status).toBe(429);

    const invalid = await send(`${simulator.url}/_sim/providers/alpha`, {
      method: 'PATCH',
      body: { failures: { serverError: 2 } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe('invalid_config');
    expect(invalid.json.error.details[0]).toContain('failures.serverError');
  });

  it('adds providers, refusing duplicates and bad configs', async () => {
    const config = { id: 'late', format: 'gemini', models: [model] };
    const added = await send(`${simulator.url}/_sim/providers`, { body: config });
    expect(added.status).toBe(201);
    expect(added.json.baseUrl).toBe(`${simulator.url}/late/v1beta`);
    const result = await send(`${added.json.baseUrl}/models/m:generateContent`, {
      body: CLIENTS.gemini.body('m', 'Hello.'),
    });
    expect(result.status).toBe(200);
    expect((await send(`${simulator.url}/_sim/providers`, { body: config })).status).toBe(409);
    expect((await send(`${simulator.url}/_sim/providers`, { body: { id: 'x' } })).status).toBe(400);
    expect((await send(`${simulator.url}/_sim/providers`, { body: '{oops' })).status).toBe(400);
    const listed = await send(`${simulator.url}/_sim/providers`);
    expect(listed.json.providers.map((provider: { id: string }) => provider.id)).toEqual([
      'alpha',
      'flaky',
      'late',
    ]);
  });

  it('answers 404 in its own shape for an unknown provider', async () => {
    const result = await send(`${simulator.url}/nobody/v1/chat/completions`, { body: {} });
    expect(result.status).toBe(404);
    expect(result.json.error.code).toBe('unknown_provider');
  });

  it('draws the same failures again after a reset (seeded RNG)', async () => {
    simulator.reset();
    const first: number[] = [];
    for (let index = 0; index < 20; index += 1) first.push((await anthropic('flaky')).status);
    simulator.reset();
    const second: number[] = [];
    for (let index = 0; index < 20; index += 1) second.push((await anthropic('flaky')).status);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 529]));
    const stats = simulator.stats('flaky');
    expect(stats.failuresInjected.serverError + stats.failuresInjected.unavailable + stats.succeeded).toBe(
      20,
    );
  });

  it('follows scheduled outages relative to the simulator start', async () => {
    simulator.configure('flaky', { failures: null });
    const start = clock;
    clock = start + 9_999;
    expect((await anthropic('flaky')).status).toBe(200);
    clock = start + 10_000;
    expect((await anthropic('flaky')).status).toBe(529);
    clock = start + 14_999;
    expect((await anthropic('flaky')).status).toBe(529);
    clock = start + 15_000;
    expect((await anthropic('flaky')).status).toBe(200);
    expect(simulator.stats('flaky').log.filter((entry) => entry.outcome === 'outage')).toHaveLength(2);
  });
});

describe('close', () => {
  it('resolves while a request is held open, and the held client sees the connection end', async () => {
    const own = await startSimulator({
      providers: [{ id: 'hang', format: 'openai', models: [model], down: 'timeout' }],
    });
    const held = openaiAt(own.baseUrlFor('hang'));
    const outcome = held.then(
      () => 'answered',
      () => 'connection closed',
    );
    await until(() => own.stats('hang').requests === 1, { timeoutMs: 2_000, message: 'the held request' });
    await own.close();
    expect(await outcome).toBe('connection closed');
  });
});

describe('main', () => {
  it('serves a YAML config on SIM_PORT and exits cleanly on SIGTERM', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'provider-sim-'));
    try {
      const configPath = join(directory, 'sim.yaml');
      await writeFile(
        configPath,
        [
          'providers:',
          '  - id: yaml-sim',
          '    format: openai',
          '    models:',
          '      - { name: m, contextWindow: 1000 }',
        ].join('\n'),
      );
      const mainPath = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
      const child = spawn(process.execPath, ['--import', 'tsx', mainPath], {
        env: { ...process.env, SIM_CONFIG: configPath, SIM_PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.once('exit', (code) => reject(new Error(`main exited with ${code}: ${output}`)));
      });
      const result = await send(`${url}/yaml-sim/v1/chat/completions`, {
        body: CLIENTS.openai.body('m', 'Hello.'),
      });
      expect(result.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
