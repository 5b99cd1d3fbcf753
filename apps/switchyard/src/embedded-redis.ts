import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
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

/**
 * Runs redis-server (its arguments follow) under a shell that stops it when its standard input
 * reaches end of file: the pipe from this process closes when this process ends, however it
 * ends (SIGKILL included), so an embedded Redis never outlives Switchyard. Closing the pipe is
 * also how a clean shutdown stops it. The shell keeps the pipe as fd 3 because a background
 * command's standard input is /dev/null.
 */
const WATCHDOG = [
  'exec 3<&0',
  'redis-server "$@" </dev/null 3<&- &',
  'server=$!',
  `trap 'kill -TERM "$server" 2>/dev/null' TERM INT`,
  '(cat >/dev/null; kill -TERM "$server" 2>/dev/null) <&3 &',
  'exec 3<&-',
  // `wait` returns early when a trapped signal arrives: wait again for the server to exit.
  'wait "$server"; wait "$server"',
].join('\n');

/**
 * Makes sure Redis answers at `url`. When nothing does, the URL is local and `redis-server` is
 * installed, starts one with AOF persistence in `dataDir` (it dies with this process, see
 * WATCHDOG). Returns the child to stop on shutdown (`stopEmbeddedRedis`), or undefined when
 * Redis was already running.
 */
export async function ensureRedis(url: string, dataDir: string): Promise<ChildProcess | undefined> {
  if (await answers(url)) return undefined;
  const { hostname, port } = new URL(url);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname)) {
    throw new Error(`Redis does not answer at ${hostname}:${port || 6379}`);
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      `Redis does not answer at ${hostname}:${port || 6379} and redis-server is not installed: install Redis 7 (Debian: apt-get install redis-server) or set REDIS_URL`,
    );
  }
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'sh',
    [
      '-c',
      WATCHDOG,
      'redis-watchdog',
      '--port',
      port || '6379',
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await answers(url)) return child;
    if (child.exitCode !== null) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  await stopEmbeddedRedis(child);
  throw new Error(`redis-server did not start on port ${port || 6379}`);
}

/** Stops an embedded Redis (it saves its AOF on SIGTERM) and waits until it has exited. */
export async function stopEmbeddedRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  await exited;
}
