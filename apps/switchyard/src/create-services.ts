import {
  BATCH_SUBMIT_QUEUE,
  type Batches,
  createBatches,
  createFileStore,
  type FileStore,
} from '@switchyard/batches';
import {
  type Broker,
  type Budgets,
  type CreateHealthOptions,
  createBroker,
  createBudgets,
  createHealth,
  createKeys,
  createRedis,
  type Health,
  type HealthOptions,
  type Job,
  type RedisConnection,
} from '@switchyard/broker';
import { type Config, tenantWebhookSecretsOf } from '@switchyard/config';
import { createProviderAdapters } from '@switchyard/providers';
import type { ProviderAdapter } from '@switchyard/spec';
import { checkCallbackUrl, createWebhooks } from '@switchyard/webhooks';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ApiError } from './api-error.ts';
import { createStrictAnswerCheck } from './check-strict-answer.ts';
import { createObservability } from './observability/create-observability.ts';
import { toJobView } from './to-job-view.ts';

type Webhooks = ReturnType<typeof createWebhooks>;

/** Everything the API and the workers share, made once per process from the configuration. */
export interface Services {
  config: Config;
  /** Standalone or cluster, as `config.redis.cluster` says. */
  redis: RedisConnection;
  broker: Broker;
  /** Spend and tokens per day, tenant, provider and route; the budgets' plan check. */
  budgets: Budgets;
  /** This process's Prometheus registry, served at `/metrics`. */
  metrics: Registry;
  /** Absent when no `webhooks.secret` is configured (callback URLs are then refused). */
  webhooks?: Webhooks;
  files: FileStore;
  batches: Batches;
  /** Circuit breakers per provider (route plans leave open ones out). */
  health: Health;
  /** Refuses a callback URL the webhooks could not be sent to (ApiError 400/422). */
  checkCallbackUrl(url: string): Promise<void>;
  /** Queues besides the provider queues, for Bull Board. */
  extraQueueNames: string[];
  /** Resolves when Redis answers (readiness). */
  ping(): Promise<void>;
  /** Starts this process's workers (provider queues, deadlines, finalize, webhooks). */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Provider adapters by provider id; made from the configuration when absent. */
  adapters?: ReadonlyMap<string, ProviderAdapter>;
  lockDurationMs?: number;
  /** Receives one `attempt` line per recorded attempt; without it, attempts are only counted. */
  logger?: Logger;
  /** Circuit breaker thresholds; defaults are constants (no configuration section yet). */
  health?: Partial<HealthOptions> & Pick<CreateHealthOptions, 'onProbe'>;
}

export function createServices(config: Config, options: ServiceOptions = {}): Services {
  const redis = createRedis(config.redis, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const observability = createObservability({ logger: options.logger });
  const webhooks = config.webhooks.secret
    ? createWebhooks({
        redis,
        prefix: config.redis.prefix,
        cluster: config.redis.cluster,
        secret: config.webhooks.secret,
        secretsOf: (tenant) => tenantWebhookSecretsOf(config, tenant),
        allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
        retentionMs: config.results.retentionMs,
        lockDurationMs: options.lockDurationMs,
        onDelivery: observability.onDelivery,
      })
    : undefined;

  // Assigned below: the broker's onTerminal needs the batches, which need the broker.
  let batches: Batches | undefined;

  async function onTerminal(job: Job): Promise<void> {
    if (job.batch_id) await batches?.onJobTerminal(job);
    if (job.callback_url && webhooks && job.status !== 'cancelled') {
      await webhooks.send({
        type: job.status === 'succeeded' ? 'job.succeeded' : 'job.failed',
        subject: job.id,
        url: job.callback_url,
        data: toJobView(job),
        tenant: job.tenant,
      });
    }
  }

  const adapters = options.adapters ?? createProviderAdapters(config.providers);
  const health = createHealth({
    adapters,
    redis,
    keys: createKeys(config.redis.prefix, { cluster: config.redis.cluster }),
    providers: config.providers,
    options: options.health,
    onProbe: (providerId, result) => {
      options.logger?.info({ provider: providerId, ...result }, 'provider probe');
      options.health?.onProbe?.(providerId, result);
    },
    onError: (error) => options.logger?.warn({ err: error }, 'provider health check failed'),
  });

  const budgets = createBudgets({
    redis,
    prefix: config.redis.prefix,
    config,
    onError: (error) => options.logger?.warn({ err: error }, 'usage not recorded'),
  });

  const broker = observability.observeBroker(
    createBroker({
      config,
      adapters,
      redis,
      onError: (error) => options.logger?.error({ err: error }, 'background work failed'),
      onTerminal,
      validate: createStrictAnswerCheck(),
      lockDurationMs: options.lockDurationMs,
      stalledIntervalMs: options.lockDurationMs,
      hooks: {
        ...observability.hooks,
        attempt(event) {
          observability.hooks.attempt?.(event);
          health.onAttempt(event);
          budgets.onAttempt(event);
        },
      },
    }),
  );
  broker.checks.isHealthy = (providerId) => health.isHealthy(providerId);
  broker.checks.budgetAllows = budgets.budgetAllows;
  health.start().catch((error) => options.logger?.warn({ err: error }, 'provider health check failed'));

  const files = createFileStore({
    redis,
    prefix: config.redis.prefix,
    cluster: config.redis.cluster,
    retentionMs: config.results.retentionMs,
    storage: broker.tenantLimits,
  });
  batches = createBatches({
    redis,
    prefix: config.redis.prefix,
    cluster: config.redis.cluster,
    broker,
    files,
    retentionMs: config.results.retentionMs,
    async onCompleted(batch, tenant) {
      if (batch.status === 'completed' && batch.callback_url && webhooks) {
        await webhooks.send({
          type: 'batch.completed',
          subject: batch.id,
          url: batch.callback_url,
          data: batch,
          tenant,
        });
      }
    },
  });

  return {
    config,
    redis,
    broker,
    budgets,
    metrics: observability.registry,
    webhooks,
    files,
    batches,
    health,
    async checkCallbackUrl(url) {
      if (!webhooks) {
        throw new ApiError(
          400,
          'webhooks_not_configured',
          'callback_url needs webhooks.secret in the configuration',
          {
            field: 'callback_url',
          },
        );
      }
      const checked = await checkCallbackUrl(url, {
        allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
      });
      if (!checked.ok) {
        throw new ApiError(
          checked.code === 'private_callback_url' ? 422 : 400,
          checked.code,
          checked.message,
          {
            field: 'callback_url',
          },
        );
      }
    },
    extraQueueNames: [broker.keys.deadlineQueue, broker.keys.finalizeQueue, BATCH_SUBMIT_QUEUE, 'webhooks'],
    async ping() {
      await redis.ping();
    },
    async startWorkers() {
      await broker.startWorkers();
      await health.startProbes();
      await batches?.startWorkers();
      await webhooks?.startWorker();
    },
    async close() {
      await batches?.close();
      await health.stop();
      await broker.close();
      budgets.close();
      await budgets.flush();
      await webhooks?.close();
      await redis.quit();
    },
  };
}
