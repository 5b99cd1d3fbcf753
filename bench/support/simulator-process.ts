import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimProviderConfig } from '@switchyard/provider-sim';

const root = new URL('../..', import.meta.url).pathname;

export interface SimulatorProcess {
  /** Base URL of each provider, by id (what a Switchyard provider's `baseUrl` takes). */
  baseUrls: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * The provider simulator in a process of its own (`apps/provider-sim/src/main.ts`), as a real
 * provider would be: its CPU is not charged to the process being measured.
 */
export async function startSimulatorProcess(providers: SimProviderConfig[]): Promise<SimulatorProcess> {
  const folder = mkdtempSync(join(tmpdir(), 'switchyard-sim-'));
  const configPath = join(folder, 'providers.json');
  writeFileSync(configPath, JSON.stringify({ providers }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/provider-sim/src/main.ts'], {
    cwd: root,
    env: { ...process.env, SIM_CONFIG: configPath, SIM_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`provider-sim did not start:\n${output}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const found = output.split('\n').find((candidate) => candidate.startsWith('provider-sim listening'));
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`provider-sim exited with ${code}:\n${output}`));
    });
  });
  const pairs = line.slice(line.indexOf('(') + 1, line.lastIndexOf(')')).split(' ');
  const baseUrls = new Map(pairs.map((pair) => pair.split('=') as [string, string]));
  return {
    baseUrls,
    stop: () =>
      new Promise<void>((resolve) => {
        rmSync(folder, { recursive: true, force: true });
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
