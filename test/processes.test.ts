import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBrokerFor } from '@switchyard/app/broker';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import { until } from './support/poll.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';
import { startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// The Switchyard process itself: the one-command start on embedded defaults, and shutdown.

const prefixes: string[] = [];
afterAll(async () => {
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

function readyLine(output: string): Record<string, unknown> {
  const line = output.split('\n').find((candidate) => candidate.includes('"msg":"ready"'));
  return JSON.parse(line!) as Record<string, unknown>;
}

describe('the Switchyard process', () => {
  it('starts on embedded defaults (its own Redis, the simulator) and runs the batch it suggests', async () => {
    // A Redis port where nothing answers: Switchyard must start redis-server there itself.
    const redisPort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-data-'));
    const prefix = testPrefix();
    const switchyard = await startSwitchyard({
      SWITCHYARD_CONFIG: writeConfig({ presets: 'off', redis: { prefix } }),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SWITCHYARD_DATA_DIR: dataDir,
      PORT: '0',
      SIM_PORT: '0',
      // No provider keys: the demo runs on the bundled simulator.
      GEMINI_API_KEY: '',
      GROQ_API_KEY: '',
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
    });
    try {
      const output = switchyard.output();
      expect(output).toContain('started redis-server');
      expect(output).toContain('running the bundled simulator');
      const ready = readyLine(output);
      expect(ready).toMatchObject({ role: 'all', providers: ['groq-sim', 'gemini-sim', 'claude-sim'] });
      const api = String(ready.api).replace(/\/v1$/, '');
      // The printed curl, run as the README says.
      const curl = output.split('\n').find((line) => line.includes("-d '"))!;
      const key = /"authorization: Bearer ([^"]+)"/.exec(output)![1]!;
      const body = /-d '(.+)'$/.exec(curl)![1]!;
      const created = await fetch(`${api}/v1/batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      expect(created.status).toBe(200);
      const { id } = (await created.json()) as { id: string };
      const batch = await until(
        async () => {
          const current = (await (
            await fetch(`${api}/v1/batches/${id}`, { headers: { authorization: `Bearer ${key}` } })
          ).json()) as { status: string; request_counts: { completed: number; total: number } };
          return current.status === 'completed' && current;
        },
        { timeoutMs: 30_000, message: 'the demo batch' },
      );
      expect(batch.request_counts.completed).toBe(batch.request_counts.total);
      expect((await fetch(`${api}/docs/`)).status).toBe(200);
      expect(existsSync(join(dataDir, 'appendonlydir'))).toBe(true);
    } finally {
      await switchyard.stop();
    }
    expect(switchyard.child.exitCode).toBe(0);
  }, 60_000);

  describe('graceful shutdown', () => {
    let simulator: Simulator;
    beforeAll(async () => {
      simulator = await startSimulator({
        providers: [
          {
            id: 'slow',
            format: 'openai',
            models: [{ name: 'm', contextWindow: 8_000 }],
            latency: { kind: 'fixed', ms: 1_500 },
          },
        ],
      });
    });
    afterAll(async () => {
      await simulator.close();
    });

    it('finishes the job in hand on SIGTERM, then exits 0', async () => {
      const prefix = testPrefix();
      prefixes.push(prefix);
      const config = {
        presets: 'off',
        providers: [
          {
            id: 'slow',
            kind: 'openai',
            baseUrl: simulator.baseUrlFor('slow'),
            models: [{ name: 'm', contextWindow: 8_000 }],
          },
        ],
        routes: { main: { targets: ['slow/m'] } },
        redis: { url: REDIS_URL, prefix },
        auth: { apiKeys: [{ key: 'shutdown-key-0123456789', tenant: 't' }] },
        server: { port: 0 },
      };
      const switchyard = await startSwitchyard({
        SWITCHYARD_CONFIG: writeConfig(config),
        SWITCHYARD_ROLE: 'all',
      });
      const api = String(readyLine(switchyard.output()).api);
      const headers = { authorization: 'Bearer shutdown-key-0123456789', 'content-type': 'application/json' };
      const accepted = await fetch(`${api}/jobs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ route: 'main', prompt: 'One sentence. Another sentence.' }),
      });
      const { id } = (await accepted.json()) as { id: string };
      await until(async () => (await simulator.stats('slow')).inFlight > 0, {
        message: 'the job to reach the slow provider',
      });
      const exited = new Promise<number | null>((resolve) =>
        switchyard.child.once('exit', (code) => resolve(code)),
      );
      switchyard.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(switchyard.output()).toContain('finishing the jobs in hand');

      // The job ended on that worker: succeeded, one call, and the provider saw one request.
      const { parseConfig } = await import('@switchyard/config');
      const broker = createBrokerFor(parseConfig(config, {}));
      try {
        const job = await broker.get(id);
        expect(job?.status).toBe('succeeded');
        expect(job?.attempts).toHaveLength(1);
        expect((await simulator.stats('slow')).requests).toBe(1);
      } finally {
        await broker.close();
      }
    }, 30_000);
  });
});
