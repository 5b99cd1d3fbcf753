/**
 * The worker role of apps/switchyard/src/main.ts (SWITCHYARD_ROLE=worker) and nothing else:
 * the configuration from SWITCHYARD_CONFIG, one broker, its provider workers and deadline
 * watcher. The benchmarks use it only when the app's entry point cannot start (see
 * start-worker-process.ts), so that work elsewhere in the app does not stop them.
 */
import { createBroker } from '@switchyard/broker';
import { loadConfig } from '@switchyard/config';

const lockDurationMs = Number(process.env.SWITCHYARD_LOCK_DURATION_MS ?? 30_000);
const broker = createBroker({ config: loadConfig(), lockDurationMs, stalledIntervalMs: lockDurationMs });
await broker.startWorkers();
console.log(JSON.stringify({ msg: 'ready', role: 'worker', pid: process.pid }));

process.on('SIGTERM', () => {
  void broker.close().then(() => process.exit(0));
});
