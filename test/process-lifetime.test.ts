import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import { until } from './support/poll.ts';
import { testPrefix } from './support/redis-prefix.ts';
import { startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// What Switchyard starts must not outlive it: the redis-server it starts when none answers,
// even when Switchyard is killed with SIGKILL and runs no shutdown code at all; and Switchyard
// itself must not outlive `pnpm start` when that is killed.

const root = new URL('..', import.meta.url).pathname;

async function answers(port: number): Promise<boolean> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The pids of the redis-server processes listening on `port`. */
function redisServersOn(port: number): string[] {
  try {
    return execFileSync('pgrep', ['-f', `redis-server 127.0.0.1:${port}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('the embedded redis-server stops when Switchyard is killed with SIGKILL', async () => {
  const port = await freePort();
  const switchyard = await startSwitchyard({
    SWITCHYARD_CONFIG: writeConfig({ presets: 'off', redis: { prefix: testPrefix() } }),
    SWITCHYARD_ROLE: 'worker',
    REDIS_URL: `redis://127.0.0.1:${port}`,
    SWITCHYARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchyard-data-')),
    METRICS_PORT: '0',
    SIM_PORT: '0',
    GEMINI_API_KEY: '',
    GROQ_API_KEY: '',
    OPENAI_API_KEY: '',
    ANTHROPIC_API_KEY: '',
  });
  expect(switchyard.output()).toContain('started redis-server');
  expect(await answers(port)).toBe(true);
  expect(redisServersOn(port)).toHaveLength(1);

  switchyard.child.kill('SIGKILL');
  await until(async () => ((await answers(port)) ? undefined : true), {
    message: 'Redis to stop',
    timeoutMs: 10_000,
  });
  await until(() => (redisServersOn(port).length === 0 ? true : undefined), {
    message: 'redis-server to exit',
    timeoutMs: 10_000,
  });
}, 30_000);

it('under a package manager, Switchyard stops when the script shell that started it is killed', async () => {
  // As `pnpm start` runs it: a shell (which pnpm kills on SIGTERM) running node.
  const shell = spawn('sh', ['-c', 'node --import tsx apps/switchyard/src/main.ts; true'], {
    cwd: root,
    env: {
      ...process.env,
      npm_lifecycle_event: 'start',
      SWITCHYARD_CONFIG: writeConfig({ presets: 'off', redis: { prefix: testPrefix() } }),
      SWITCHYARD_ROLE: 'worker',
      METRICS_PORT: '0',
      SIM_PORT: '0',
      GEMINI_API_KEY: '',
      GROQ_API_KEY: '',
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  shell.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const ready = await until(() => output.split('\n').find((line) => line.includes('"msg":"ready"')), {
    message: 'Switchyard to start',
    timeoutMs: 20_000,
  });
  const { pid } = JSON.parse(ready) as { pid: number };
  expect(isAlive(pid)).toBe(true);
  shell.kill('SIGKILL');
  await until(() => (isAlive(pid) ? undefined : true), { message: 'Switchyard to stop', timeoutMs: 10_000 });
  expect(output).toContain('"signal":"parent exited"');
}, 30_000);
