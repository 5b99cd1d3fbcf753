/**
 * The Switchyard process. SWITCHYARD_ROLE picks what it runs: `worker` (provider workers and
 * the deadline watcher), `api` (the intake side) or `all` (every role in one process). With no
 * provider configured and no provider key set, it starts the bundled provider simulator and a
 * demo configuration.
 */
import { createBroker } from '@switchyard/broker';
import { type Config, ConfigError, loadConfig, parseConfig } from '@switchyard/config';
import { DEMO_PROVIDERS, startSimulator } from '@switchyard/provider-sim';
import { pino } from 'pino';
import { demoConfig } from './demo.ts';

const logger = pino({ base: { service: 'switchyard' } });
const ROLES = ['all', 'api', 'worker'] as const;
type Role = (typeof ROLES)[number];

async function main(): Promise<void> {
  const role = (process.env.SWITCHYARD_ROLE ?? 'all') as Role;
  if (!ROLES.includes(role)) {
    logger.fatal({ role, roles: ROLES }, 'unknown SWITCHYARD_ROLE');
    process.exit(2);
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, error.message);
      process.exit(2);
    }
    throw error;
  }

  let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;
  if (config.providers.length === 0) {
    simulator = await startSimulator({
      port: Number(process.env.SIM_PORT ?? 4010),
      providers: DEMO_PROVIDERS,
    });
    config = parseConfig(
      demoConfig((id) => simulator!.baseUrlFor(id)),
      process.env,
      'demo',
    );
    logger.info({ simulator: simulator.url }, 'no provider configured: running the bundled simulator');
  }

  const lockDurationMs = Number(process.env.SWITCHYARD_LOCK_DURATION_MS ?? 30_000);
  const broker = createBroker({ config, lockDurationMs, stalledIntervalMs: lockDurationMs });
  if (role !== 'api') await broker.startWorkers();
  logger.info(
    { role, pid: process.pid, providers: config.providers.map((provider) => provider.id) },
    'ready',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the jobs in hand');
    await broker.close();
    await simulator?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'Switchyard could not start');
  process.exit(1);
});
