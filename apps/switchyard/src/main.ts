/**
 * The Switchyard process, and the only file that listens or handles signals.
 * SWITCHYARD_ROLE: `all` (default: API and workers in one process), `api`, or `worker`.
 * With no provider configured and no provider key set, it runs the bundled provider simulator
 * behind a demo configuration; with no Redis answering locally, it starts one (if installed).
 */
import type { ChildProcess } from 'node:child_process';
import { type Config, ConfigError, loadConfig, parseConfig } from '@switchyard/config';
import { DEMO_PROVIDERS, type Simulator, startSimulator } from '@switchyard/provider-sim';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { createServices } from './create-services.ts';
import { DEMO_ADMIN_KEY, DEMO_API_KEY, demoConfig } from './demo.ts';
import { ensureRedis } from './embedded-redis.ts';
import { createLogger } from './observability/create-logger.ts';
import { startTracing } from './observability/start-tracing.ts';

const logger = createLogger();
const ROLES = ['all', 'api', 'worker'] as const;
type Role = (typeof ROLES)[number];

async function main(): Promise<void> {
  const role = (process.env.SWITCHYARD_ROLE ?? 'all') as Role;
  if (!ROLES.includes(role)) {
    logger.fatal({ role, roles: ROLES }, 'unknown SWITCHYARD_ROLE');
    process.exit(2);
  }

  const tracing = startTracing(process.env, role);
  if (tracing) logger.info('OpenTelemetry tracing on (OTLP/HTTP)');

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

  let redisChild: ChildProcess | undefined;
  try {
    redisChild = await ensureRedis(config.redis.url, process.env.SWITCHYARD_DATA_DIR ?? '.data/redis');
  } catch (error) {
    logger.fatal((error as Error).message);
    process.exit(1);
  }
  if (redisChild)
    logger.info({ redis: config.redis.url }, 'no Redis answered: started redis-server (AOF in .data/redis)');

  let simulator: Simulator | undefined;
  const demo = config.providers.length === 0;
  if (demo) {
    simulator = await startSimulator({
      port: Number(process.env.SIM_PORT ?? 4010),
      providers: DEMO_PROVIDERS,
    });
    const sim = simulator;
    config = parseConfig(
      demoConfig((id) => sim.baseUrlFor(id), config),
      process.env,
      'demo',
    );
    logger.info({ simulator: simulator.url }, 'no provider configured: running the bundled simulator');
  }
  if (role !== 'worker' && config.auth.apiKeys.length === 0) {
    logger.fatal(
      'auth.apiKeys is empty: the API would refuse every request. Add a key to the configuration.',
    );
    process.exit(2);
  }

  const services = createServices(config, {
    lockDurationMs: Number(process.env.SWITCHYARD_LOCK_DURATION_MS ?? 30_000),
    logger,
  });
  if (role !== 'api') await services.startWorkers();
  let app: FastifyInstance | undefined;
  if (role !== 'worker') {
    app = await buildApp(services, { logger });
    await app.listen({ port: config.server.port, host: config.server.host });
  }

  const address = app?.server.address();
  const port = address && typeof address === 'object' ? address.port : config.server.port;
  const base = `http://127.0.0.1:${port}`;
  logger.info(
    {
      role,
      pid: process.pid,
      providers: config.providers.map((provider) => provider.id),
      ...(app ? { api: `${base}/v1`, docs: `${base}/docs`, bullBoard: `${base}/admin/queues` } : {}),
    },
    'ready',
  );
  if (app) {
    const key = demo ? DEMO_API_KEY : '$SWITCHYARD_API_KEY';
    const documents = [
      'The river rose overnight. Crews worked until dawn. The bridge reopened at noon.',
      'Sales grew in spring. Costs fell. The board approved a new plant.',
    ];
    const requests = documents.map((content, index) => ({
      custom_id: `doc-${index + 1}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'summarize', messages: [{ role: 'user', content }], max_tokens: 64 },
    }));
    console.log(
      [
        '',
        `Switchyard is ready (${role}).`,
        `  API         ${base}/v1`,
        `  Docs        ${base}/docs`,
        `  Bull Board  ${base}/admin/queues${demo ? `  (admin key: ${DEMO_ADMIN_KEY})` : ''}`,
        `  Metrics     ${base}/metrics  (admin key)`,
        '',
        'Submit a summarization batch:',
        `  curl -s ${base}/v1/batches -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\`,
        `    -d '${JSON.stringify({ endpoint: '/v1/chat/completions', completion_window: '24h', route: 'summarize', requests })}'`,
        '',
      ].join('\n'),
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new work; finishing the jobs in hand');
    await app?.close();
    await services.close();
    await simulator?.close();
    await tracing?.shutdown();
    redisChild?.kill('SIGTERM');
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
