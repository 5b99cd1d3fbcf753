import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandOf, type DockerStage, environmentOf, parseDockerfile } from './support/parse-dockerfile.ts';
import { until } from './support/poll.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

/**
 * The production image without a Docker engine: the Dockerfile's build-stage RUN steps, read
 * from the Dockerfile itself, run in a copy of the working tree; then the runtime stage's CMD
 * starts from the result and must serve a job with plain node and compiled files only.
 */
const root = new URL('..', import.meta.url).pathname;
const DEMO_API_KEY = 'sk-switchyard-demo-key';
const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const build = stages.find((stage) => stage.name === 'build') as DockerStage;
const runtime = stages.at(-1) as DockerStage;
const steps = build.instructions.filter((each) => each.keyword === 'RUN').map((each) => each.arguments);
const packageManager = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager as string;

// The test's own processes resolve workspace packages to their sources (vitest.config.ts);
// the image's steps and its process must not.
const { NODE_OPTIONS: _sourceCondition, ...environment } = process.env;

let workdir: string;
let child: ChildProcess | undefined;
let output = '';
const prefix = testPrefix();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A step as the image runs it; pnpm's fetch and install try the local store first. */
function runStep(step: string): void {
  const run = (command: string) =>
    spawnSync('sh', ['-c', command], { cwd: workdir, env: environment, encoding: 'utf8' });
  const offline = /^pnpm (fetch|install)\b/.test(step) && !step.includes('--offline');
  let result = run(offline ? `${step} --offline` : step);
  if (offline && result.status !== 0) result = run(step);
  if (result.status !== 0) {
    throw new Error(`RUN ${step} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * `check` for `until`, while the process runs: a refused connection (not listening yet) is
 * "not yet"; the process exiting ends the wait at once, with its output.
 */
function whileRunning<T>(what: string, check: () => Promise<T | undefined>): () => Promise<T | undefined> {
  return async () => {
    if (child?.exitCode !== null) throw new Error(`Switchyard exited while waiting for ${what}:\n${output}`);
    return check().catch(() => undefined);
  };
}

beforeAll(() => {
  workdir = mkdtempSync(join(tmpdir(), 'switchyard-image-'));
  // The working tree as the build context sees it: tracked and untracked files, not ignored ones.
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((path) => path !== '' && existsSync(join(root, path)));
  for (const path of files) {
    mkdirSync(dirname(join(workdir, path)), { recursive: true });
    copyFileSync(join(root, path), join(workdir, path));
  }
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await deleteKeys(prefix);
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it('installs the packageManager version of pnpm, and builds with install, build and a production install', () => {
    const install = steps.find((step) => step.startsWith('npm install --global pnpm@'));
    expect(install).toBe(`npm install --global ${packageManager}`);
    expect(steps).toContain('pnpm install --frozen-lockfile --offline');
    expect(steps).toContain('pnpm build');
    expect(steps.some((step) => step.includes('pnpm install --frozen-lockfile --offline --prod'))).toBe(true);
    expect(runtime.instructions.some((each) => each.keyword === 'USER' && each.arguments !== 'root')).toBe(
      true,
    );
    expect(
      runtime.instructions.some(
        (each) => each.keyword === 'HEALTHCHECK' && each.arguments.includes('/healthz'),
      ),
    ).toBe(true);
    expect(commandOf(runtime)).toEqual(['node', 'apps/switchyard/dist/main.js']);
  });

  it('runs its build steps in a copy of the working tree, and the result serves a job on plain node', async () => {
    // pnpm itself is installed globally by the image; here it must already be that version.
    expect(`pnpm@${execFileSync('pnpm', ['--version'], { encoding: 'utf8' }).trim()}`).toBe(packageManager);
    for (const step of steps.filter((each) => !each.startsWith('npm install --global pnpm@'))) runStep(step);

    // Production dependencies only, and no sources: nothing could load TypeScript.
    expect(existsSync(join(workdir, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(join(workdir, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(workdir, 'packages/broker/src'))).toBe(false);
    expect(existsSync(join(workdir, 'packages/broker/dist/quota/includes/common.lua'))).toBe(true);

    const port = await freePort();
    const configPath = join(workdir, 'test-config.yaml');
    writeFileSync(configPath, JSON.stringify({ redis: { url: REDIS_URL, prefix } }));
    const [command, ...args] = commandOf(runtime);
    child = spawn(command === 'node' ? process.execPath : (command as string), args, {
      cwd: workdir,
      env: {
        ...environment,
        ...environmentOf(runtime),
        PORT: String(port),
        SIM_PORT: String(await freePort()),
        SWITCHYARD_CONFIG: configPath,
        SWITCHYARD_ROLE: 'all',
        // The image sets NODE_ENV=production, where the demo runs only on purpose.
        SWITCHYARD_DEMO: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const base = `http://127.0.0.1:${port}`;

    const health = await until(
      whileRunning('/healthz', async () => {
        const response = await fetch(`${base}/healthz`);
        return response.ok ? await response.json() : undefined;
      }),
      { message: '/healthz', timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(health).toEqual({ status: 'ok' });

    // Plain node on the compiled entry, with no loader or import hook on its command line
    // or in its environment.
    const pid = child.pid as number;
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(commandLine).toEqual([process.execPath, 'apps/switchyard/dist/main.js']);
    const processEnvironment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(processEnvironment.filter((entry) => entry.startsWith('NODE_OPTIONS='))).toEqual([]);
    expect(output).not.toMatch(/tsx/);

    const headers = { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' };
    const submitted = await fetch(`${base}/v1/jobs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        route: 'summarize',
        prompt: 'The river rose overnight. Crews worked until dawn.',
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const job = await until(
      whileRunning(`job ${id}`, async () => {
        const response = await fetch(`${base}/v1/jobs/${id}?wait=10`, { headers });
        const body = (await response.json()) as { status: string; result?: { content: string } };
        return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
      }),
      { message: `job ${id} to finish`, timeoutMs: 30_000 },
    );
    expect(job.status).toBe('succeeded');
    expect(job.result?.content.length).toBeGreaterThan(0);
  }, 180_000);
});
