import { type SwitchyardProcess, startSwitchyard } from '../../test/support/switchyard-process.ts';

/** What the worker processes of this run were, for the notes under a table. */
export function workerEntryNote(): string {
  return 'worker processes: apps/switchyard/src/main.ts with SWITCHYARD_ROLE=worker';
}

/** A Switchyard worker process (the real app, SWITCHYARD_ROLE=worker) on the configuration at `configPath`. */
export function startWorkerProcess(configPath: string): Promise<SwitchyardProcess> {
  return startSwitchyard({ SWITCHYARD_CONFIG: configPath, SWITCHYARD_ROLE: 'worker' });
}
