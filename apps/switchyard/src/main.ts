/**
 * The Switchyard process, the only file that listens or handles signals, and the only one that
 * reads the environment (once, through env.ts).
 * SWITCHYARD_ROLE: `all` (default: API and workers in one process), `api`, or `worker`.
 * With no provider configured and no provider key set, it runs the bundled provider simulator
 * behind a demo configuration; with no Redis answering locally, it starts one (if installed).
 */
import type { ChildProcess } from 'node:child_process';
import { type Config, ConfigError, loadConfig, parseConfig } from '@switchyard/config';
import { DEMO_PROVIDERS, type Simulator, startSimulator } from '@switchyard/provider-sim';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { buildApp } from './app.ts';
import { createServices } from './create-services.ts';
import { demoConfig } from './demo.ts';
import { ensureRedis, stopEmbeddedRedis } from './embedded-redis.ts';
import { type Env, parseEnv } from './env.ts';
import { createLogger } from './observability/create-logger.ts';
import { startMetricsServer } from './observability/start-metrics-server.ts';
import { startTracing } from './observability/start-tracing.ts';
import { formatStartUpBanner } from './start-up-banner.ts';

const logger = createLogger();

/** Runs `read`; a ConfigError (it names every problem, never a value) stops the process. */
function orStop<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, error.message);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  // The whole environment goes to the configuration (provider keys, `${NAME}` in the file);
  // everything else reads the typed, validated `env`.
  const variables = process.env;
  const env: Env = orStop(() => parseEnv(variables));
  const role = env.SWITCHYARD_ROLE;

  const tracing = startTracing(env, role);
  if (tracing) logger.info('OpenTelemetry tracing on (OTLP/HTTP)');

  let config: Config = orStop(() => loadConfig({ env: variables, apiKeyRequired: role !== 'worker' }));

  let redisChild: ChildProcess | undefined;
  try {
    // A cluster is never started here: a seed node that does not answer is an error to report.
    if (!config.redis.cluster) redisChild = await ensureRedis(config.redis.url, env.SWITCHYARD_DATA_DIR);
  } catch (error) {
    logger.fatal((error as Error).message);
    process.exit(1);
  }
  if (redisChild)
    logger.info(
      { redis: config.redis.url, dataDir: env.SWITCHYARD_DATA_DIR },
      'no Redis answered: started redis-server (AOF persistence)',
    );

  let simulator: Simulator | undefined;
  const demo = config.providers.length === 0;
  if (demo && env.NODE_ENV === 'production' && env.SWITCHYARD_DEMO !== '1') {
    // A production process with no provider is a mistake, not a demo: the demo's keys are
    // public and it allows callbacks to private addresses.
    logger.fatal(
      'no provider configured (NODE_ENV=production): set a provider key or SWITCHYARD_CONFIG, or SWITCHYARD_DEMO=1 to run the demo',
    );
    process.exit(2);
  }
  if (demo) {
    simulator = await startSimulator({
      port: env.SIM_PORT,
      providers: DEMO_PROVIDERS,
    });
    const sim = simulator;
    const loaded = config;
    config = orStop(() =>
      parseConfig(
        demoConfig((id) => sim.baseUrlFor(id), loaded),
        variables,
        'demo',
      ),
    );
    logger.info({ simulator: simulator.url }, 'no provider configured: running the bundled simulator');
  }
  if (role !== 'worker' && config.auth.apiKeys.length === 0) {
    logger.fatal(
      'auth.apiKeys is empty: the API would refuse every request. Add a key to the configuration file.',
    );
    process.exit(2);
  }

  const services = createServices(config, {
    lockDurationMs: env.SWITCHYARD_LOCK_DURATION_MS,
    logger,
  });
  const unhandled = new Counter({
    name: 'switchyard_unhandled_rejections_total',
    help: 'Promise rejections nothing handled, in this process (logged; the process keeps running)',
    registers: [services.metrics],
  });
  countUnhandled = () => unhandled.inc();
  if (role !== 'api') await services.startWorkers();
  let app: FastifyInstance | undefined;
  let metricsServer: FastifyInstance | undefined;
  if (role !== 'worker') {
    app = await buildApp(services, { logger });
    await app.listen({ port: config.server.port, host: config.server.host });
  } else {
    // A worker has no API port: its counters and health are served on a port of their own.
    if (config.auth.adminKeys.length === 0)
      logger.warn('auth.adminKeys is empty: /metrics on the metrics port refuses every scrape');
    const metricsPort = env.METRICS_PORT ?? config.server.metricsPort;
    try {
      metricsServer = await startMetricsServer(services, { port: metricsPort, host: config.server.host });
    } catch (error) {
      // A second worker on one machine with the default port: its jobs matter more than its
      // metrics, so it runs, and says how to get them.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      logger.warn(
        { metricsPort },
        'metrics port in use: this worker serves no /metrics; give each worker its own METRICS_PORT',
      );
    }
  }

  const port = app ? portOf(app) : config.server.port;
  const base = `http://127.0.0.1:${port}`;
  logger.info(
    {
      role,
      pid: process.pid,
      providers: config.providers.map((provider) => provider.id),
      ...(app ? { api: `${base}/v1`, docs: `${base}/docs`, bullBoard: `${base}/admin/queues` } : {}),
      ...(metricsServer ? { metrics: `http://127.0.0.1:${portOf(metricsServer)}/metrics` } : {}),
    },
    'ready',
  );
  if (app) console.log(formatStartUpBanner({ role, base, config }));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new work; finishing the jobs in hand');
    // The API first: its requests in flight (a synchronous completion, a `?wait=`) may wait for
    // jobs this process's own workers run. Then the workers finish their calls and release
    // their BullMQ locks, so another worker takes the queued jobs at once.
    if (app) await drain(app, env.SWITCHYARD_DRAIN_TIMEOUT_MS);
    await services.close();
    await metricsServer?.close();
    await simulator?.close();
    await tracing?.shutdown();
    if (redisChild) await stopEmbeddedRedis(redisChild);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  if (env.npm_lifecycle_event) {
    // `kill <pid of pnpm start>` ends pnpm and the script's shell, not this process: without
    // this watch it would keep running, orphaned. Only under a package manager: a process
    // started on its own (nohup, a service manager) outlives whoever started it.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) void stop('parent exited');
    }, 1_000).unref();
  }
}

function portOf(server: FastifyInstance): number {
  const address = server.server.address();
  return address && typeof address === 'object' ? address.port : 0;
}

/**
 * Closes the API: the listening socket at once (new connections are refused), then waits for
 * the requests in flight, at most `timeoutMs`; after that their connections are closed (the
 * jobs go on: a client can read them with `GET /v1/jobs/:id`).
 */
async function drain(app: FastifyInstance, timeoutMs: number): Promise<void> {
  const timer = setTimeout(() => {
    logger.warn({ timeoutMs }, 'drain timeout: closing the connections of requests still in flight');
    app.server.closeAllConnections();
  }, timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A promise rejection nothing handled is a bug to fix, not a reason to drop every request in
 * flight: it is logged and counted (`switchyard_unhandled_rejections_total`), and the process
 * keeps running.
 */
let countUnhandled = () => {};
process.on('unhandledRejection', (reason: unknown) => {
  countUnhandled();
  logger.error({ err: reason }, 'unhandled promise rejection');
});

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'Switchyard could not start');
  process.exit(1);
});
