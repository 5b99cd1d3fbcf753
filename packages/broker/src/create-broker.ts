import { randomBytes } from 'node:crypto';
import type { Config, ModelConfig, ProviderConfig } from '@switchyard/config';
import type { ProviderAdapter } from '@switchyard/spec';
import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BrokerError } from './broker-error.ts';
import { createProviderAdapters } from './create-provider-adapters.ts';
import { detectPersonalData } from './detect-personal-data.ts';
import { DEFAULT_OUTPUT_RESERVATION, estimateInputTokens } from './estimate-tokens.ts';
import {
  type Attempt,
  type Job,
  type JobRequest,
  type JobStatus,
  type PlanTarget,
  type Priority,
  SENSITIVITIES,
} from './job.ts';
import { createJobStore, type JobStore } from './job-store/create-job-store.ts';
import { createKeys, type Keys } from './keys.ts';
import { type PlanChecks, planRoute } from './plan-route.ts';
import { LIMITER, QUEUE_PRIORITY } from './queue-settings.ts';
import { createQuota, type Quota, type QuotaLimit } from './quota/index.ts';
import { createDeadlineWorker, createFinalizeWorker, createProviderWorker } from './run-attempt.ts';
import { tracer } from './tracing.ts';

/** Latency assumed for a provider before any call to it has been measured. */
const DEFAULT_LATENCY_MS = 2_000;
/** A job must leave a target this long before its last feasible start there. */
const DEADLINE_SAFETY_MS = 1_000;
/**
 * A job that reaches a target already past its latest start there (it fell through from an
 * earlier target at its own latest start) stays this long when the target can start it at once:
 * starting now beats every later target, which cannot start it any sooner.
 */
const LATE_ARRIVAL_GRACE_MS = 250;

export interface BrokerOptions {
  config: Config;
  /** A connection for commands; one is made from `config.redis.url` when absent. */
  redis?: Redis;
  /** Adapters by provider id; made from the configuration when absent. */
  adapters?: Map<string, ProviderAdapter>;
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
}

export interface AttemptEvent {
  job: Job;
  attempt: Attempt;
  /** What the broker does next: `retry` here, `move` to the next target, `fail`, or `done`. */
  next: 'done' | 'retry' | 'move' | 'fail';
  usage?: { inputTokens: number; outputTokens: number };
  costUsd?: number;
}

export interface BrokerHooks {
  /** After every recorded attempt: a provider call, or a target skipped without one. */
  attempt?(event: AttemptEvent): void;
  /** After a job became terminal in this process. */
  finished?(job: Job, status: JobStatus): void;
}

export interface Broker {
  readonly config: Config;
  readonly keys: Keys;
  readonly store: JobStore;
  readonly quota: Quota;
  /** Plans and enqueues a job; with `request.id` of an existing job, returns that job instead. */
  submit(request: JobRequest): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  cancel(id: string): Promise<Job | undefined>;
  /** The job once it is terminal, or as it is when `timeoutMs` passes. */
  waitFor(id: string, timeoutMs: number): Promise<Job | undefined>;
  /** The health and budget checks route plans use (settable after creation, e.g. by the app). */
  readonly checks: PlanChecks;
  /** Starts one worker per provider (or the listed ones) and the deadline watcher in this process. */
  startWorkers(options?: { providers?: string[] }): Promise<void>;
  queue(providerId: string): Queue;
  /** Milliseconds from now until `target` could start one more job of this size and priority. */
  estimateStartMs(target: PlanTarget, reservedTokens: number, priority: Priority): Promise<number>;
  /** The provider's recent latency (a moving average kept in Redis). */
  expectedLatencyMs(providerId: string): Promise<number>;
  close(): Promise<void>;
}

/** Internals shared with the worker processor. */
export interface BrokerInternals extends Broker {
  readonly redis: Redis;
  readonly adapters: Map<string, ProviderAdapter>;
  readonly running: Map<string, AbortController>;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  provider(id: string): ProviderConfig;
  model(target: PlanTarget): ModelConfig;
  limitsOf(target: PlanTarget): QuotaLimit[];
  recordLatency(providerId: string, latencyMs: number): Promise<void>;
  /**
   * Moves a job from `from` to the next target (or fails it when none is left), if its status
   * is one of `statuses` (default queued or running). Idempotent. True when this call moved it.
   */
  moveOn(job: Job, from: number, attempt?: Attempt, statuses?: JobStatus[]): Promise<boolean>;
  /** Makes sure the BullMQ job for the job's current target exists (after a crash mid-move). */
  enqueue(job: Job, target: number): Promise<void>;
  /**
   * Queues the follow-ups of a job that just became terminal (idempotent); call after every
   * terminal transition. Callback URL and batch never change, so the caller's copy will do.
   */
  afterTerminal(job: Pick<Job, 'id' | 'callback_url' | 'batch_id'>): Promise<void>;
  readonly onTerminal?: (job: Job) => Promise<void>;
  readonly hooks: BrokerHooks;
}

export function newJobId(): string {
  return `job_${randomBytes(15).toString('base64url')}`;
}

export function createBroker(options: BrokerOptions): Broker {
  const { config } = options;
  const redis =
    options.redis ?? new Redis(config.redis.url, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const ownsRedis = options.redis === undefined;
  const keys = createKeys(config.redis.prefix);
  const store = createJobStore(redis, keys, { retentionMs: config.results.retentionMs });
  const quota = createQuota(redis, keys);
  const adapters = options.adapters ?? createProviderAdapters(config.providers);
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  const checks: PlanChecks = options.checks ?? {};
  const running = new Map<string, AbortController>();
  const latencyCache = new Map<string, { value: number; readAt: number }>();
  let cancelSubscriber: Redis | undefined;
  const bullPrefix = `{${config.redis.prefix}}`;

  function queue(name: string): Queue {
    let found = queues.get(name);
    if (!found) {
      found = new Queue(name, { connection: redis, prefix: bullPrefix });
      queues.set(name, found);
    }
    return found;
  }

  function provider(id: string): ProviderConfig {
    const found = config.providers.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`unknown provider ${id}`);
    return found;
  }

  function model(target: PlanTarget): ModelConfig {
    const found = provider(target.provider).models.find((candidate) => candidate.name === target.model);
    if (!found) throw new Error(`unknown model ${target.provider}/${target.model}`);
    return found;
  }

  function limitsOf(target: PlanTarget): QuotaLimit[] {
    return [
      ...provider(target.provider).limits.map((limit) => ({ scope: 'provider', ...limit })),
      ...model(target).limits.map((limit) => ({ scope: target.model, ...limit })),
    ];
  }

  const statsKey = (providerId: string) => `${config.redis.prefix}:stats:{${providerId}}`;

  async function expectedLatencyMs(providerId: string): Promise<number> {
    const cached = latencyCache.get(providerId);
    if (cached && Date.now() - cached.readAt < 1_000) return cached.value;
    const stored = await redis.hget(statsKey(providerId), 'latency');
    const value = stored === null ? DEFAULT_LATENCY_MS : Number(stored);
    latencyCache.set(providerId, { value, readAt: Date.now() });
    return value;
  }

  async function recordLatency(providerId: string, latencyMs: number): Promise<void> {
    const previous = latencyCache.get(providerId)?.value;
    const value = previous === undefined ? latencyMs : Math.round(previous * 0.8 + latencyMs * 0.2);
    latencyCache.set(providerId, { value, readAt: Date.now() });
    await redis.hset(statsKey(providerId), 'latency', String(value));
  }

  async function estimateStartMs(
    target: PlanTarget,
    reservedTokens: number,
    priority: Priority,
  ): Promise<number> {
    const providerQueue = queue(keys.providerQueue(target.provider));
    const limits = limitsOf(target);
    const [counts, pausedMs, usage, latency] = await Promise.all([
      providerQueue.getCountsPerPriority([QUEUE_PRIORITY.interactive, QUEUE_PRIORITY.batch]),
      providerQueue.getRateLimitTtl(LIMITER.max),
      limits.length > 0 ? quota.usage({ provider: target.provider, limits }) : Promise.resolve([]),
      expectedLatencyMs(target.provider),
    ]);
    const backlog =
      priority === 'interactive'
        ? (counts[QUEUE_PRIORITY.interactive] ?? 0)
        : (counts[QUEUE_PRIORITY.interactive] ?? 0) + (counts[QUEUE_PRIORITY.batch] ?? 0);
    let wait = Math.max(0, pausedMs);
    limits.forEach((limit, index) => {
      const state = usage[index];
      if (!state) return;
      const need = (backlog + 1) * (limit.unit === 'requests' ? 1 : reservedTokens);
      if (need <= state.remaining) return;
      const windowMs = limit.window === 'month' ? 30 * 86_400_000 : limit.window;
      const extraWindows = Math.ceil((need - state.remaining) / limit.max);
      wait = Math.max(wait, state.resetMs + (extraWindows - 1) * windowMs);
    });
    const concurrency = provider(target.provider).concurrency;
    return Math.max(wait, Math.floor(backlog / concurrency) * latency);
  }

  async function enqueue(job: Job, target: number): Promise<void> {
    const planned = job.plan[target];
    if (!planned) return;
    const hasNext = target < job.plan.length - 1;
    let deadlineDelay = 0;
    if (hasNext) {
      const latency = await expectedLatencyMs(planned.provider);
      deadlineDelay = job.deadline - latency - DEADLINE_SAFETY_MS - Date.now();
      if (deadlineDelay <= 0 && target > 0) {
        // Arrived late (see LATE_ARRIVAL_GRACE_MS). Measured before the job joins the queue.
        const reserved =
          estimateInputTokens(job.request.messages) + (job.request.maxTokens ?? DEFAULT_OUTPUT_RESERVATION);
        const wait = await estimateStartMs(planned, reserved, job.priority);
        if (wait === 0) deadlineDelay = Math.min(LATE_ARRIVAL_GRACE_MS, job.deadline - latency - Date.now());
      }
    }
    await queue(keys.providerQueue(planned.provider)).add(
      'job',
      { id: job.id, target },
      {
        jobId: `${job.id}-${target}`,
        priority: QUEUE_PRIORITY[job.priority],
        attempts: 3,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: { age: 86_400 },
      },
    );
    if (hasNext) {
      await queue(keys.deadlineQueue).add(
        'deadline',
        { id: job.id, target },
        {
          jobId: `${job.id}-${target}-deadline`,
          delay: Math.max(0, deadlineDelay),
          removeOnComplete: true,
          removeOnFail: { age: 86_400 },
        },
      );
    }
  }

  async function moveOn(
    job: Job,
    from: number,
    attempt?: Attempt,
    statuses: JobStatus[] = ['queued', 'running'],
  ): Promise<boolean> {
    const next = from + 1;
    const now = new Date().toISOString();
    if (next >= job.plan.length) {
      const last = attempt ?? job.attempts.at(-1);
      const failed = await store.transition(job.id, {
        target: from,
        from: statuses,
        to: 'failed',
        set: {
          completed_at: now,
          error: JSON.stringify({
            code: 'all_targets_failed',
            message: `Every target of the route failed; the last said: ${last?.error?.message ?? last?.outcome ?? 'nothing'}`,
          }),
        },
        attempt,
      });
      if (attempt) options.hooks?.attempt?.({ job, attempt, next: 'fail' });
      options.hooks?.finished?.(job, 'failed');
      await afterTerminal(job);
      return failed.applied;
    }
    const moved = await store.transition(job.id, {
      target: from,
      from: statuses,
      to: 'queued',
      set: { target: String(next), tries: '0' },
      attempt,
    });
    if (moved.applied && attempt) options.hooks?.attempt?.({ job, attempt, next: 'move' });
    if (moved.applied || moved.target === next) await enqueue(job, next);
    return moved.applied;
  }

  async function afterTerminal(job: Pick<Job, 'id' | 'callback_url' | 'batch_id'>): Promise<void> {
    // The finalize worker checks the job is terminal before acting on it.
    if (!options.onTerminal || (!job.callback_url && !job.batch_id)) return;
    await queue(keys.finalizeQueue).add(
      'finalize',
      { id: job.id },
      {
        jobId: `${job.id}-final`,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: { age: 7 * 86_400 },
      },
    );
  }

  async function listenForCancellations(): Promise<void> {
    if (cancelSubscriber) return;
    cancelSubscriber = redis.duplicate();
    cancelSubscriber.on('message', (_channel: string, id: string) => running.get(id)?.abort());
    await cancelSubscriber.subscribe(keys.cancellations);
  }

  const broker: BrokerInternals = {
    config,
    keys,
    store,
    quota,
    redis,
    adapters,
    running,
    lockDurationMs: options.lockDurationMs ?? 30_000,
    stalledIntervalMs: options.stalledIntervalMs ?? 30_000,
    provider,
    model,
    limitsOf,
    expectedLatencyMs,
    recordLatency,
    moveOn,
    enqueue,
    afterTerminal,
    checks,
    onTerminal: options.onTerminal,
    hooks: options.hooks ?? {},
    queue,
    estimateStartMs,

    async submit(request) {
      if (request.messages.length === 0)
        throw new BrokerError('invalid_request', 'A job needs at least one message');
      const now = Date.now();
      const priority = request.priority ?? 'interactive';
      const personalData = config.privacy.detectPersonalData
        ? detectPersonalData(request.messages.map((message) => message.content))
        : [];
      const requested = request.sensitivity ?? 'public';
      // Personal data raises the sensitivity before routing; it never lowers it.
      const sensitivity =
        personalData.length > 0 &&
        SENSITIVITIES.indexOf(config.privacy.raiseTo) > SENSITIVITIES.indexOf(requested)
          ? config.privacy.raiseTo
          : requested;
      const deadline = request.deadline ?? now + config.scheduling.deadlines[priority];
      const inputTokens = estimateInputTokens(request.messages);
      const reservedTokens = inputTokens + (request.maxTokens ?? DEFAULT_OUTPUT_RESERVATION);
      const plan = planRoute(
        config,
        {
          route: request.route,
          tenant: request.tenant,
          inputTokens,
          maxTokens: request.maxTokens,
          sensitivity,
        },
        checks,
      );

      let targets = plan.targets;
      const waits = new Map<PlanTarget, number>();
      const waitOf = async (target: PlanTarget) => {
        let wait = waits.get(target);
        if (wait === undefined) {
          wait = await estimateStartMs(target, reservedTokens, priority);
          waits.set(target, wait);
        }
        return wait;
      };
      if (plan.strategy === 'least-wait' && targets.length > 1) {
        const measured = await Promise.all(
          targets.map(async (target) => ({ target, wait: await waitOf(target) })),
        );
        targets = measured.sort((a, b) => a.wait - b.wait).map((entry) => entry.target);
      }

      // Start on the first target that can still start the job in time; skip the others.
      const skipped: Attempt[] = [];
      let start = 0;
      for (; start < targets.length - 1; start++) {
        const target = targets[start]!;
        const [wait, latency] = await Promise.all([waitOf(target), expectedLatencyMs(target.provider)]);
        if (now + wait + latency + DEADLINE_SAFETY_MS <= deadline) break;
        const at = new Date(now).toISOString();
        skipped.push({
          ...target,
          outcome: 'skipped',
          error: {
            code: 'deadline_unreachable',
            message: `expected to start in ${wait} ms and take ${latency} ms, after the deadline`,
          },
          started_at: at,
          finished_at: at,
          latency_ms: 0,
        });
      }

      const job: Job = {
        id: request.id ?? newJobId(),
        tenant: request.tenant,
        status: 'queued',
        route: request.route,
        priority,
        sensitivity,
        plan: targets,
        target: start,
        tries: 0,
        deadline,
        request: {
          messages: request.messages,
          maxTokens: request.maxTokens,
          temperature: request.temperature,
          topP: request.topP,
          stop: request.stop,
        },
        callback_url: request.callbackUrl,
        metadata: request.metadata,
        batch_id: request.batchId,
        custom_id: request.customId,
        ...(request.stream ? { stream: true } : {}),
        ...(personalData.length > 0 ? { personal_data: personalData } : {}),
        attempts: skipped,
        created_at: new Date(now).toISOString(),
      };
      tracer
        .startSpan('switchyard.submit', {
          attributes: {
            'switchyard.job.id': job.id,
            'switchyard.job.route': job.route,
            'switchyard.job.priority': priority,
            'switchyard.job.sensitivity': sensitivity,
            'switchyard.plan.targets': targets.length,
            'switchyard.plan.start': `${targets[start]?.provider}/${targets[start]?.model}`,
          },
        })
        .end();
      if (request.id === undefined) {
        // A fresh random id cannot exist yet: write the record and enqueue in one round trip.
        // The record is sent first on the same connection, so a worker always finds it.
        await Promise.all([store.create(job), enqueue(job, start)]);
        return job;
      }
      if (!(await store.create(job))) {
        // Submitted before under this id: the same job, not a second one. If the first submit
        // died before enqueueing, enqueue it now (BullMQ ids are deterministic: never twice).
        const existing = (await store.get(job.id))!;
        if (existing.status === 'queued') await enqueue(existing, existing.target);
        return existing;
      }
      await enqueue(job, start);
      return job;
    },

    get: (id) => store.get(id),

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
        options.hooks?.finished?.(job, 'cancelled');
        await afterTerminal(job);
        await redis.publish(keys.cancellations, id);
        const planned = job.plan[job.target];
        if (planned) {
          // Best effort: a job a worker holds cannot be removed; that worker sees `cancelled`.
          await queue(keys.providerQueue(planned.provider))
            .remove(`${id}-${job.target}`)
            .catch(() => 0);
        }
      }
      return store.get(id);
    },

    waitFor: (id, timeoutMs) => store.waitForTerminal(id, timeoutMs),

    async startWorkers(startOptions = {}) {
      await listenForCancellations();
      const ids = startOptions.providers ?? config.providers.map((candidate) => candidate.id);
      for (const id of ids) {
        await queue(keys.providerQueue(id)).setGlobalConcurrency(provider(id).concurrency);
        workers.push(createProviderWorker(broker, provider(id), bullPrefix));
      }
      workers.push(createDeadlineWorker(broker, bullPrefix));
      if (options.onTerminal) workers.push(createFinalizeWorker(broker, bullPrefix));
    },

    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all([...queues.values()].map((found) => found.close()));
      await store.close();
      await cancelSubscriber?.quit();
      if (ownsRedis) await redis.quit();
    },
  };
  return broker;
}
