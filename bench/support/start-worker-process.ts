import { spawn } from 'node:child_process';
import { type SwitchyardProcess, startSwitchyard } from '../../test/support/switchyard-process.ts';

const root = new URL('../..', import.meta.url).pathname;
const FALLBACK_ENTRY = 'bench/support/worker-main.ts';

/** Why the app's entry point could not be used in this run; undefined while it works. */
let appProblem: string | undefined;

/** What the worker processes of this run were, for the notes under a table. */
export function workerEntryNote(): string {
  return appProblem === undefined
    ? 'worker processes: apps/switchyard/src/main.ts with SWITCHYARD_ROLE=worker'
    : `worker processes: ${FALLBACK_ENTRY} (the worker role alone), because apps/switchyard/src/main.ts did not start: ${appProblem}`;
}

/**
 * A Switchyard worker process on the configuration at `configPath`: the real app
 * (test/support's startSwitchyard, SWITCHYARD_ROLE=worker). If the app cannot start (it is
 * being changed by other work), the run says so once and goes on with bench/support/worker-main.ts,
 * which runs the same broker workers; `workerEntryNote()` records it under the results.
 */
export async function startWorkerProcess(configPath: string): Promise<SwitchyardProcess> {
  const env = { SWITCHYARD_CONFIG: configPath, SWITCHYARD_ROLE: 'worker' };
  if (appProblem === undefined) {
    try {
      return await startSwitchyard(env);
    } catch (error) {
      if (appProblem === undefined) {
        const text = error instanceof Error ? error.message : String(error);
        appProblem =
          text.split('\n').find((line) => /Error/.test(line) && !line.startsWith('    at')) ??
          text.split('\n')[0]!;
        console.warn(`! ${workerEntryNote()}`);
      }
    }
  }
  return startFallbackWorker(env);
}

async function startFallbackWorker(env: Record<string, string>): Promise<SwitchyardProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FALLBACK_ENTRY], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker did not start:\n${output}`));
    }, 20_000);
    const onData = () => {
      if (!output.includes('"msg":"ready"')) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited with ${code}:\n${output}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
