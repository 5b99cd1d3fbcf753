import type { Config } from '@switchyard/config';
import type { GenerateResult, ProviderAdapter } from '@switchyard/spec';
import type { Queue, Worker } from 'bullmq';
import type { AttemptDeps } from './attempt-context.ts';
import { createProviderBackoff, type ProviderBackoff } from './backoff/create-provider-backoff.ts';
import { createSpentCaps, type SpentCaps } from './backoff/create-spent-caps.ts';
import { createCancellations } from './cancellations.ts';
import { createCatalog } from './catalog.ts';
import { createRedis, type RedisConnection } from './create-redis.ts';
import { createDeadlineWorker } from './deadline-worker.ts';
import { type BrokerHooks, createDispatcher } from './dispatcher.ts';
import { createStartEstimator, type EstimateStart } from './estimate-start.ts';
import { createFairShare } from './fair-share/create-fair-share.ts';
import { createFastPath } from './fast-path.ts';
import { createFinalizeWorker } from './finalize-worker.ts';
import type { Job } from './job.ts';
import { createJobStore, type JobStore } from './job-store/create-job-store.ts';
import { createJobStreamReader, createJobStreamWriter, type JobStreamEvent } from './job-stream.ts';
import { createKeys, type Keys } from './keys.ts';
import { createLatencyStats } from './latency-stats.ts';
import type { PlanChecks } from './plan-route.ts';
import { createProviderWorker } from './provider-worker.ts';
import { createQueues } from './queues.ts';
import { createQuota, type Quota } from './quota/index.ts';
import { createReservationSizes } from './reservation-sizes.ts';
import { createSpread } from './spread.ts';
import { createSubmit, type Submit } from './submit.ts';
import { createSweeper, DEFAULT_SWEEPER, type Sweeper, type SweeperSettings } from './sweeper.ts';
import { createTenantLimits, type TenantLimitsStore } from './tenant-limits/index.ts';

export interface BrokerOptions {
  config: Config;
  /** The provider adapters, by provider id (the app makes them from the configuration). */
  adapters: ReadonlyMap<string, ProviderAdapter>;
  /** A connection for commands; one is made from `config.redis` (standalone or cluster) when absent. */
  redis?: RedisConnection;
  checks?: PlanChecks;
  /** BullMQ worker lock settings: how fast a crashed worker's job is taken over. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /**
   * Runs once a job with a callback URL or a batch is terminal, at least once, from the
   * finalize queue of whichever process runs workers (so a crash cannot lose it).
   */
  onTerminal?: (job: Job) => Promise<void>;
  /** In-process observers (logs, metrics); they must not throw or block. */
  hooks?: BrokerHooks;
  /**
   * Checks each answer before it counts: a message says why it is refused, and the attempt
   * ends as `bad_response` (retried, then the next target). The app checks strict JSON schemas.
   */
  validate?: (result: GenerateResult, job: Job) => string | undefined;
  /** Errors of background work that has no caller to throw to. */
  onError?: (error: unknown) => void;
  /**
   * The synchronous fast path (`fast-path.ts`): a waiting client's job makes its first attempt
   * in the process that took the request when its target admits it at once. Default on; always
   * off on a Redis Cluster.
   */
  fastPath?: boolean;
  /** The sweeper's pace and bound (`sweeper.ts`); defaults to `DEFAULT_SWEEPER`. */
  sweeper?: Partial<SweeperSettings> & { firstSweepAfterMs?: number };
}

export interface Broker {
  readonly config: Config;
  readonly keys: Keys;
  readonly store: JobStore;
  readonly quota: Quota;
  /** Per-tenant limits: submissions are admitted here, terminal jobs released. */
  readonly tenantLimits: TenantLimitsStore;
  /** Plans and enqueues a job (see `SubmitOptions` for idempotency keys). */
  submit: Submit;
  get(id: string): Promise<Job | undefined>;
  cancel(id: string): Promise<Job | undefined>;
  /** The job once it is terminal, or as it is when `timeoutMs` passes. */
  waitFor(id: string, timeoutMs: number): Promise<Job | undefined>;
  /** A streaming job's text as it arrives, then the job as it ended (or at `giveUpAt`). */
  readStream(id: string, giveUpAt: number): AsyncGenerator<JobStreamEvent>;
  /** The health and budget checks route plans use (settable after creation, e.g. by the app). */
  readonly checks: PlanChecks;
  /** Providers that keep refusing (429), backed off for every process. */
  readonly backoff: ProviderBackoff;
  /** Daily or monthly caps, or credits, providers said are spent: out of route plans. */
  readonly spentCaps: SpentCaps;
  /** Starts one worker per provider (or the listed ones) and the deadline watcher in this process. */
  startWorkers(options?: { providers?: string[] }): Promise<void>;
  queue(name: string): Queue;
  /** Milliseconds from now until `target` could start one more job of this size and priority. */
  estimateStartMs: EstimateStart;
  /** The provider's recent latency (a moving average kept in Redis). */
  expectedLatencyMs(providerId: string): Promise<number>;
  /** A provider's measured latency; undefined while it has answered nothing. */
  measuredLatencyMs(providerId: string): Promise<number | undefined>;
  /** Reconciles job records with the queues (run every `sweeper.intervalMs` by `startWorkers`). */
  readonly sweeper: Sweeper;
  /** Follow-ups (webhooks, batch counters) that failed every attempt so far; the sweeper retries them. */
  finalizePending(): Promise<number>;
  close(): Promise<void>;
}

/** Wires the broker's modules together; each module gets only what it uses. */
export function createBroker(options: BrokerOptions): Broker {
  const { config } = options;
  const redis =
    options.redis ?? createRedis(config.redis, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const ownsRedis = options.redis === undefined;
  const keys = createKeys(config.redis.prefix, { cluster: config.redis.cluster });
  const tenantLimits = createTenantLimits({ redis, keys, config });
  const store = createJobStore(redis, keys, {
    retentionMs: config.results.retentionMs,
    firstSweepAfterMs: options.sweeper?.firstSweepAfterMs,
    onTerminal: (job) => tenantLimits.finishJob(job.tenant, job.id, job.resultBytes),
  });
  const quota = createQuota(redis, keys);
  // Before any command is sent (the timers below start at once): a Lua command defined on a
  // connection is missing from an auto-pipeline already open on it in the same tick.
  const fairShare = createFairShare({ redis, keys, config });
  const catalog = createCatalog(config);
  const latency = createLatencyStats(redis, keys);
  const queues = createQueues(redis, keys, {
    lockDurationMs: options.lockDurationMs ?? 30_000,
    stalledIntervalMs: options.stalledIntervalMs ?? 30_000,
  });
  const cancellations = createCancellations(redis, keys);
  const checks: PlanChecks = options.checks ?? {};
  const backoff = createProviderBackoff({
    redis,
    keys,
    providers: config.providers.map((provider) => provider.id),
    pools: new Map(
      config.providers.flatMap((provider) => {
        const groups = catalog.keyGroups(provider.id);
        return groups ? [[provider.id, groups.map((group) => group.quotaId)] as const] : [];
      }),
    ),
    options: {
      baseMs: config.scheduling.refusalBackoff.initial,
      capMs: config.scheduling.refusalBackoff.max,
    },
    onError: options.onError,
  });
  checks.isBackedOff ??= backoff.isBackedOff;
  const spentCaps = createSpentCaps({ redis, keys, providers: config.providers, onError: options.onError });
  checks.quotaSpent ??= (provider, model) => {
    const cap = spentCaps.spent(provider, model);
    if (!cap) return undefined;
    const what =
      cap.scope === 'credits' ? 'credits are' : `${cap.scope === 'day' ? 'daily' : 'monthly'} cap is`;
    const until = cap.resetAt ? ` until ${new Date(cap.resetAt).toISOString()}` : '';
    return `the provider's ${what} spent${cap.model ? ` for ${cap.model}` : ''}${until}`;
  };
  spentCaps.start().catch(options.onError ?? (() => {}));
  // Every process that plans jobs reads the backoffs (the timer does not keep it alive).
  backoff.start().catch(options.onError ?? (() => {}));
  const given = options.hooks ?? {};
  const hooks: BrokerHooks = {
    ...given,
    attempt(event) {
      backoff.onAttempt(event);
      given.attempt?.(event);
    },
  };
  const estimateStart = createStartEstimator({ redis, queues, fairShare, catalog, quota, latency });
  const dispatcher = createDispatcher({
    store,
    queues,
    keys,
    latency,
    estimateStart,
    fairShare,
    hooks,
    marginMs: config.scheduling.deadlineMarginMs,
    followsUp: options.onTerminal !== undefined,
  });
  const spread = createSpread({ config, catalog, quota, estimateStart });
  const attemptDeps: AttemptDeps & { onError?: (error: unknown) => void } = {
    store,
    queues,
    catalog,
    quota,
    adapters: options.adapters,
    latency,
    dispatcher,
    cancellations,
    streams: createJobStreamWriter(redis, keys),
    hooks,
    reservationSizes: createReservationSizes(),
    retriesPerTarget: config.scheduling.retriesPerTarget,
    refusalsBeforeMove: config.scheduling.refusalsBeforeMove,
    backoff,
    spentCaps,
    spread,
    onError: options.onError,
    validate: options.validate,
  };
  const fastPath =
    options.fastPath !== false && !redis.isCluster
      ? createFastPath({
          redis,
          keys,
          attempt: attemptDeps,
          leaseMs: options.lockDurationMs ?? 30_000,
          onError: options.onError,
        })
      : undefined;
  const submit = createSubmit({
    spread,
    config,
    redis,
    keys,
    store,
    checks,
    estimateStart,
    latency,
    dispatcher,
    tenantLimits,
    fastPath,
  });
  const sweeper = createSweeper({
    redis,
    store,
    queues,
    keys,
    dispatcher,
    settings: { ...DEFAULT_SWEEPER, ...options.sweeper },
    onError: options.onError,
    releaseTenant: (job) =>
      tenantLimits.finishJob(
        job.tenant,
        job.id,
        job.result === undefined ? 0 : Buffer.byteLength(JSON.stringify(job.result)),
      ),
  });
  const workers: Worker[] = [];
  const streamReader = createJobStreamReader(redis, keys, (id) => store.get(id));

  return {
    config,
    keys,
    store,
    quota,
    tenantLimits,
    checks,
    backoff,
    spentCaps,
    submit,
    estimateStartMs: estimateStart,
    expectedLatencyMs: latency.expectedMs,
    measuredLatencyMs: latency.measuredMs,
    sweeper,
    finalizePending: () => queues.get(keys.finalizeQueue).getFailedCount(),
    queue: queues.get,
    get: (id) => store.get(id),
    async waitFor(id, timeoutMs) {
      const until = Date.now() + timeoutMs;
      // A fast call of this process: its answer is here, no need to read it back from Redis.
      const fast = await fastPath?.running(id);
      return fast ?? store.waitForTerminal(id, Math.max(0, until - Date.now()));
    },
    readStream: (id, giveUpAt) => streamReader.read(id, giveUpAt),

    async cancel(id) {
      const job = await store.get(id);
      if (!job) return undefined;
      const result = await store.transition(id, {
        from: ['queued', 'running'],
        to: 'cancelled',
        set: {
          completed_at: new Date().toISOString(),
          error: JSON.stringify({ code: 'cancelled', message: 'The job was cancelled' }),
        },
      });
      if (result.applied) {
        hooks.finished?.(job, 'cancelled');
        await Promise.all([dispatcher.afterTerminal(job), dispatcher.clearDeadline(job, job.target)]);
        await cancellations.publish(id);
        const planned = job.plan[job.target];
        if (planned) {
          // Best effort: a job a worker holds cannot be removed; that worker sees `cancelled`.
          await queues
            .provider(planned.provider)
            .remove(`${id}-${job.target}`)
            .catch(() => 0);
        }
      }
      return store.get(id);
    },

    async startWorkers(startOptions = {}) {
      await cancellations.listen();
      const ids = startOptions.providers ?? config.providers.map((candidate) => candidate.id);
      for (const id of ids) {
        await queues.provider(id).setGlobalConcurrency(catalog.provider(id).concurrency);
        workers.push(createProviderWorker(attemptDeps, catalog.provider(id), config.queues.keepCompleted));
      }
      workers.push(createDeadlineWorker({ store, queues, keys, dispatcher }));
      if (options.onTerminal)
        workers.push(createFinalizeWorker({ store, queues, keys, onTerminal: options.onTerminal }));
      workers.push(await sweeper.start());
    },

    async close() {
      backoff.stop();
      spentCaps.stop();
      await Promise.all(workers.map((worker) => worker.close()));
      await queues.close();
      await store.close();
      await cancellations.close();
      streamReader.close();
      if (ownsRedis) await redis.quit();
    },
  };
}
