import { type ChildProcess, spawn } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

export interface ChaosProcess {
  readonly child: ChildProcess;
  readonly role: string;
  output(): string;
  /** Resolves with the signal or exit code once the process is gone. */
  exited(): Promise<NodeJS.Signals | number | null>;
}

/**
 * Real Switchyard processes (`apps/switchyard/src/main.ts`), each tracked from the moment it is
 * spawned, so `killAll` also ends one that never became ready.
 */
export interface ProcessGroup {
  /** Spawns a process and resolves once it logs `ready` (the ready line's fields with it). */
  start(env: Record<string, string>): Promise<{ process: ChaosProcess; ready: Record<string, unknown> }>;
  readonly processes: readonly ChaosProcess[];
  /** SIGKILLs every process still running and waits until all are gone. */
  killAll(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
}

export function createProcessGroup(options: { startTimeoutMs: number }): ProcessGroup {
  const processes: ChaosProcess[] = [];
  return {
    processes,
    async start(env) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'apps/switchyard/src/main.ts'], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const started: ChaosProcess = {
        child,
        role: env.SWITCHYARD_ROLE ?? 'all',
        output: () => output,
        exited: () => exitOf(child),
      };
      processes.push(started);
      child.stderr?.on('data', (chunk) => {
        output += chunk;
      });
      const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`Switchyard (${started.role}) not ready in time:\n${output}`)),
          options.startTimeoutMs,
        );
        let buffered: string | undefined = '';
        child.stdout?.on('data', (chunk) => {
          output += chunk;
          if (buffered === undefined) return;
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          const line = lines.find((candidate) => candidate.includes('"msg":"ready"'));
          if (line) {
            buffered = undefined;
            clearTimeout(timer);
            resolve(JSON.parse(line) as Record<string, unknown>);
          }
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`Switchyard (${started.role}) exited with ${signal ?? code}:\n${output}`));
        });
      });
      return { process: started, ready };
    },
    async killAll() {
      for (const { child } of processes) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await Promise.all(processes.map(({ child }) => exitOf(child)));
    },
  };
}
