import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/**
 * A `redis-server` of the test's own, on a free port, with AOF persistence in a temporary
 * folder. `appendfsync always`: Redis fsyncs the AOF before it answers a write, so a write
 * Switchyard was told succeeded (a job accepted with 202, a result stored) survives a crash of
 * the server, not only a graceful shutdown. With `everysec` a crash may drop up to a second of
 * acknowledged writes, which no application above Redis could make up for.
 */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The running server's pid (changes on restart). */
  pid(): number | undefined;
  /** Everything the server logged, over every start. */
  output(): string;
  /** SIGKILL: a crash, with no shutdown work at all. Resolves once the process is gone. */
  crash(): Promise<void>;
  /** Starts the server again on the same port and folder; resolves once it loaded the AOF and answers. */
  start(): Promise<void>;
  /** Stops the server (SIGKILL, the data is thrown away) and deletes its folder. */
  destroy(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-chaos-redis-'));
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    const started = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${log}`)), 20_000);
      const onData = (chunk: Buffer) => {
        log += chunk;
        output += chunk;
        if (log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout?.on('data', onData);
      started.stderr?.on('data', onData);
      started.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code ?? signal}) while starting:\n${log}`));
      });
    });
  }

  async function crash(): Promise<void> {
    const running = child;
    if (!running) return;
    running.kill('SIGKILL');
    await exited(running);
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child?.pid,
    output: () => output,
    crash,
    start,
    async destroy() {
      await crash();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
