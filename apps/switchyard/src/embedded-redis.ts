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
 * Makes sure Redis answers at `url`. When nothing does, the URL is local and `redis-server` is
 * installed, starts one with AOF persistence in `dataDir` (a child of this process). Returns the
 * child to stop on shutdown, or undefined when Redis was already running.
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
    'redis-server',
    [
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
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await answers(url)) return child;
    if (child.exitCode !== null) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  child.kill();
  throw new Error(`redis-server did not start on port ${port || 6379}`);
}
