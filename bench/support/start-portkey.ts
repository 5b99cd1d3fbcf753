import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/free-port.ts';

const packageFolder = fileURLToPath(new URL('../../node_modules/@portkey-ai/gateway/', import.meta.url));
/** How long the gateway may take to print that it is ready (it shows a 1 s spinner first). */
const START_TIMEOUT_MS = 20_000;
/** After SIGTERM, how long before SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
/** The last characters of the gateway's output kept for an error message. */
const OUTPUT_KEPT = 4_000;

export interface PortkeyGateway {
  /** `http://127.0.0.1:<port>`; OpenAI-format routes are under `/v1`. */
  url: string;
  /** The installed `@portkey-ai/gateway` version. */
  version: string;
  /** The command line it runs with, for the notes under a table. */
  command: string;
  /** SIGTERM (SIGKILL if it lingers), and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * The headers that make Portkey's gateway forward a chat completion to an OpenAI-format
 * provider at `baseUrl` (its `/chat/completions` is appended) with `apiKey` as the bearer
 * token: no Portkey account, config or virtual key involved.
 */
export function portkeyHeaders(baseUrl: string, apiKey: string): Record<string, string> {
  return {
    authorization: `Bearer ${apiKey}`,
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': baseUrl,
  };
}

/**
 * Portkey's open-source AI gateway (`@portkey-ai/gateway`, its Node build) in a child process
 * on a free port, headless (no web UI), as its package's `bin` runs it. Resolves once it says
 * it is ready. The child is killed if this process exits without stopping it (a
 * `process.exit` after an error); Ctrl-C reaches it anyway, as it shares the process group.
 */
export async function startPortkey(): Promise<PortkeyGateway> {
  const manifest = JSON.parse(readFileSync(join(packageFolder, 'package.json'), 'utf8')) as {
    version: string;
    bin: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0]!;
  const entry = join(packageFolder, bin);
  const port = await freePort();
  const args = [entry, `--port=${port}`, '--headless'];
  // Without this process's NODE_OPTIONS (tsx, source conditions): the gateway runs as published.
  const { NODE_OPTIONS: _nodeOptions, ...env } = process.env;
  const child = spawn(process.execPath, args, {
    cwd: dirname(entry),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = () =>
    new Promise<void>((resolve) => {
      process.off('exit', killOnExit);
      if (exited()) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Portkey's gateway did not start in ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      );
      const onData = () => {
        if (!output.includes('Ready for connections')) return;
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`Portkey's gateway exited with ${code}:\n${output}`));
      };
      child.stdout.on('data', onData);
      child.once('exit', onExit);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    version: manifest.version,
    command: `node ${join('node_modules/@portkey-ai/gateway', bin)} --port=<free port> --headless`,
    stop,
  };
}
