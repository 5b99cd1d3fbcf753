import type { ProviderConfig } from '@switchyard/config';
import {
  type GenerateRequest,
  type GenerateResult,
  type ProviderAdapter,
  ProviderError,
  type RateLimitHint,
} from '@switchyard/spec';
import { DelayedError, type Job as QueueJob, RateLimitError, Worker } from 'bullmq';
import type { BrokerInternals } from './create-broker.ts';
import { decideAfterFailure, providerPauseMs } from './decide-after-failure.ts';
import { DEFAULT_OUTPUT_RESERVATION, estimateInputTokens } from './estimate-tokens.ts';
import { type Attempt, type Job, TERMINAL_STATUSES } from './job.ts';
import { DRAIN_DELAY_S, LIMITER } from './queue-settings.ts';
import { endSpan, tracer } from './tracing.ts';

/** What a provider queue's BullMQ job carries: the rest lives in the job record. */
export interface QueuedJob {
  id: string;
  target: number;
}

/** Extra time a reservation is held beyond the provider timeout, should a worker die mid-call. */
const HOLD_MARGIN_MS = 5_000;
/** When the provider reports a quota at zero, pause its queue this long if it gave no reset time. */
const EMPTY_QUOTA_PAUSE_MS = 1_000;

export function createProviderWorker(
  broker: BrokerInternals,
  provider: ProviderConfig,
  prefix: string,
): Worker {
  const queueName = broker.keys.providerQueue(provider.id);
  const worker = new Worker<QueuedJob>(queueName, (job, token) => runAttempt(broker, provider, job, token), {
    connection: broker.redis,
    prefix,
    concurrency: provider.concurrency,
    limiter: LIMITER,
    drainDelay: DRAIN_DELAY_S,
    lockDuration: broker.lockDurationMs,
    stalledInterval: broker.stalledIntervalMs,
    maxStalledCount: 10,
  });
  worker.on('failed', (queued, error) => {
    // The processor itself broke (Redis gone, a bug) more times than BullMQ retries: the job
    // must still end, with the reason, rather than sit in `running` forever.
    if (!queued || queued.attemptsMade < (queued.opts.attempts ?? 1)) return;
    void failInternally(broker, queued.data, error);
  });
  worker.on('error', () => {
    // Connection errors are retried by ioredis and BullMQ; without a listener Node would crash.
  });
  return worker;
}

async function failInternally(broker: BrokerInternals, queued: QueuedJob, error: Error): Promise<void> {
  const result = await broker.store.transition(queued.id, {
    target: queued.target,
    from: ['queued', 'running'],
    to: 'failed',
    set: {
      completed_at: new Date().toISOString(),
      error: JSON.stringify({
        code: 'internal_error',
        message: `The worker could not run the job: ${error.message}`,
      }),
    },
  });
  const job = result.applied ? await broker.store.get(queued.id) : undefined;
  if (job) await broker.afterTerminal(job);
}

/** Runs the broker's `onTerminal` for finished jobs, retried by BullMQ until it succeeds. */
export function createFinalizeWorker(broker: BrokerInternals, prefix: string): Worker {
  const worker = new Worker<{ id: string }>(
    broker.keys.finalizeQueue,
    async (queued) => {
      const job = await broker.store.get(queued.data.id);
      if (job && TERMINAL_STATUSES.has(job.status)) await broker.onTerminal?.(job);
    },
    {
      connection: broker.redis,
      prefix,
      concurrency: 32,
      // Like the provider workers: a follow-up held by a worker that died (or lost its lock to a
      // Redis restart) is taken over after the configured lock duration, however often that happens.
      lockDuration: broker.lockDurationMs,
      stalledInterval: broker.stalledIntervalMs,
      maxStalledCount: 10,
    },
  );
  worker.on('error', () => {});
  return worker;
}

/** Moves jobs that are still waiting on a target when they can no longer start there in time. */
export function createDeadlineWorker(broker: BrokerInternals, prefix: string): Worker {
  const worker = new Worker<QueuedJob>(
    broker.keys.deadlineQueue,
    async (queued) => {
      const job = await broker.store.get(queued.data.id);
      if (!job || TERMINAL_STATUSES.has(job.status)) return;
      if (job.target > queued.data.target) return broker.enqueue(job, job.target);
      if (job.target !== queued.data.target || job.status !== 'queued') return;
      const planned = job.plan[job.target]!;
      const now = new Date().toISOString();
      const moved = await broker.moveOn(
        job,
        job.target,
        {
          ...planned,
          outcome: 'skipped',
          error: {
            code: 'deadline_unreachable',
            message: 'still waiting when it had to start to meet its deadline',
          },
          started_at: now,
          finished_at: now,
          latency_ms: 0,
        },
        // Only a job still waiting: one a provider worker claimed meanwhile is left to its call.
        ['queued'],
      );
      if (!moved) return;
      await broker
        .queue(broker.keys.providerQueue(planned.provider))
        .remove(`${job.id}-${queued.data.target}`)
        .catch(() => 0);
    },
    {
      connection: broker.redis,
      prefix,
      concurrency: 16,
      lockDuration: broker.lockDurationMs,
      stalledInterval: broker.stalledIntervalMs,
      maxStalledCount: 10,
    },
  );
  worker.on('error', () => {});
  return worker;
}

async function runAttempt(
  broker: BrokerInternals,
  provider: ProviderConfig,
  queued: QueueJob<QueuedJob>,
  token: string | undefined,
): Promise<void> {
  const { id, target } = queued.data;
  const job = await broker.store.get(id);
  if (!job) return;
  // Terminal already: make sure its follow-ups were queued (a worker may have died in between).
  if (TERMINAL_STATUSES.has(job.status)) return broker.afterTerminal(job);
  // A worker died between moving the job on and enqueueing it on its next target: finish the move.
  if (job.target > target) return broker.enqueue(job, job.target);
  if (job.target < target) return;

  const planned = job.plan[target]!;
  const model = broker.model(planned);
  const limits = broker.limitsOf(planned);
  const inputTokens = estimateInputTokens(job.request.messages);
  const reservedTokens =
    inputTokens + (job.request.maxTokens ?? model.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVATION);
  const hasNextTarget = target < job.plan.length - 1;
  const reservation = {
    provider: provider.id,
    limits,
    reservationId: `${id}.${target}.${queued.attemptsStarted}`,
  };
  const providerQueue = broker.queue(queued.queueName);

  if (limits.length > 0) {
    const grant = await broker.quota.acquire({
      ...reservation,
      tokens: reservedTokens,
      holdMs: provider.timeoutMs + HOLD_MARGIN_MS,
    });
    if (!grant.granted) {
      const latency = await broker.expectedLatencyMs(provider.id);
      const tooLate = Date.now() + grant.retryAfterMs + latency > job.deadline;
      if (grant.retryAfterMs < 0 || (hasNextTarget && tooLate)) {
        const now = new Date().toISOString();
        await broker.moveOn(job, target, {
          ...planned,
          outcome: 'skipped',
          error:
            grant.retryAfterMs < 0
              ? { code: 'quota_never_fits', message: `${reservedTokens} tokens exceed a token limit` }
              : {
                  code: 'quota_wait_exceeds_deadline',
                  message: `quota frees in ${grant.retryAfterMs} ms, too late for the deadline`,
                },
          started_at: now,
          finished_at: now,
          latency_ms: 0,
        });
        return;
      }
      // The quota is spent for every worker: pause the whole queue until it frees.
      await providerQueue.rateLimit(grant.retryAfterMs);
      throw new RateLimitError();
    }
  }

  const claimed = await broker.store.transition(id, {
    target,
    from: ['queued', 'running'],
    to: 'running',
    incrementTries: true,
  });
  if (!claimed.applied) {
    if (limits.length > 0) await broker.quota.release({ ...reservation, reservedTokens });
    return;
  }

  const controller = new AbortController();
  broker.running.set(id, controller);
  const startedAt = Date.now();
  const span = tracer.startSpan('switchyard.attempt', {
    attributes: {
      'switchyard.job.id': id,
      'switchyard.job.route': job.route,
      'switchyard.provider': provider.id,
      'switchyard.model': planned.model,
      'switchyard.target': target,
    },
  });
  const relay = { chunks: 0 };
  let result: GenerateResult;
  try {
    const request = {
      model: planned.model,
      messages: job.request.messages,
      maxTokens: job.request.maxTokens,
      temperature: job.request.temperature,
      topP: job.request.topP,
      stop: job.request.stop,
      signal: controller.signal,
    };
    const adapter = broker.adapters.get(provider.id)!;
    result = job.stream
      ? await relayStream(broker, job.id, adapter, request, relay)
      : await adapter.generate(request);
  } catch (caught) {
    broker.running.delete(id);
    endSpan(span, ProviderError.isInstance(caught) ? caught.outcome : 'error', true);
    if (controller.signal.aborted) {
      if (limits.length > 0)
        await broker.quota.settle({ ...reservation, reservedTokens, usedTokens: inputTokens });
      return;
    }
    if (relay.chunks > 0) {
      // The client already holds part of this answer: another provider cannot continue it.
      if (limits.length > 0)
        await broker.quota.settle({ ...reservation, reservedTokens, usedTokens: reservedTokens });
      const message = `the stream broke after ${relay.chunks} chunks: ${caught instanceof Error ? caught.message : String(caught)}`;
      const failed = await broker.store.transition(id, {
        target,
        from: ['running'],
        to: 'failed',
        set: {
          completed_at: new Date().toISOString(),
          error: JSON.stringify({ code: 'stream_interrupted', message }),
        },
        attempt: attemptOf(planned, 'bad_response', startedAt, Date.now(), {
          code: 'stream_interrupted',
          message,
        }),
      });
      if (failed.applied) {
        broker.hooks.finished?.(job, 'failed');
        await broker.afterTerminal(job);
      }
      return;
    }
    const error = ProviderError.isInstance(caught)
      ? caught
      : new ProviderError({
          outcome: 'server_error',
          provider: provider.id,
          message: caught instanceof Error ? caught.message : String(caught),
        });
    return handleFailure(broker, job, queued, token, error, {
      startedAt,
      reservation,
      reservedTokens,
      inputTokens,
      hasNextTarget,
    });
  }
  broker.running.delete(id);
  span.setAttributes({
    'switchyard.tokens.input': result.usage.inputTokens,
    'switchyard.tokens.output': result.usage.outputTokens,
  });
  endSpan(span, 'succeeded', false);

  const finishedAt = Date.now();
  const usedTokens = result.usage.inputTokens + result.usage.outputTokens;
  const cost =
    (result.usage.inputTokens * model.price.input + result.usage.outputTokens * model.price.output) / 1e6;
  // Sent together (one write, with auto-pipelining) and awaited together: the job's success
  // does not wait for the bookkeeping.
  const bookkeeping = Promise.all([
    limits.length > 0 ? broker.quota.settle({ ...reservation, reservedTokens, usedTokens }) : undefined,
    broker.recordLatency(provider.id, finishedAt - startedAt),
    pauseOnEmptyQuota(providerQueue, result.rateLimit, limits),
  ]);
  const succeeded = broker.store.transition(id, {
    target,
    from: ['running'],
    to: 'succeeded',
    set: {
      completed_at: new Date(finishedAt).toISOString(),
      result: JSON.stringify({
        content: result.content,
        finish_reason: result.finishReason,
        provider: provider.id,
        model: planned.model,
        usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
        cost_usd: Number(cost.toFixed(8)),
        latency_ms: finishedAt - startedAt,
      }),
    },
    attempt: attemptOf(planned, 'succeeded', startedAt, finishedAt),
  });
  await Promise.all([bookkeeping, succeeded]);
  broker.hooks.attempt?.({
    job,
    attempt: attemptOf(planned, 'succeeded', startedAt, finishedAt),
    next: 'done',
    usage: result.usage,
    costUsd: cost,
  });
  broker.hooks.finished?.(job, 'succeeded');
  if (job.stream) await broker.redis.xadd(broker.keys.jobStream(id), '*', 'end', '1');
  await broker.afterTerminal(job);
}

/** How long a streaming job's deltas stay readable. */
const STREAM_RETENTION_MS = 3_600_000;

/**
 * Calls the provider streaming (or, for an adapter that cannot, in one piece) and appends each
 * delta to the job's Redis stream, where the API process that holds the client reads it.
 */
async function relayStream(
  broker: BrokerInternals,
  jobId: string,
  adapter: ProviderAdapter,
  request: GenerateRequest,
  relay: { chunks: number },
): Promise<GenerateResult> {
  const key = broker.keys.jobStream(jobId);
  const append = async (text: string) => {
    await broker.redis.multi().xadd(key, '*', 'delta', text).pexpire(key, STREAM_RETENTION_MS).exec();
    relay.chunks++;
  };
  if (!adapter.stream) {
    const result = await adapter.generate(request);
    if (result.content) await append(result.content);
    return result;
  }
  for await (const event of adapter.stream(request)) {
    if (event.type === 'done') return event.result;
    await append(event.text);
  }
  throw new ProviderError({
    outcome: 'bad_response',
    provider: adapter.id,
    message: 'the stream ended without a result',
  });
}

async function handleFailure(
  broker: BrokerInternals,
  job: Job,
  queued: QueueJob<QueuedJob>,
  token: string | undefined,
  error: ProviderError,
  context: {
    startedAt: number;
    reservation: { provider: string; limits: ReturnType<BrokerInternals['limitsOf']>; reservationId: string };
    reservedTokens: number;
    inputTokens: number;
    hasNextTarget: boolean;
  },
): Promise<void> {
  const { target } = queued.data;
  const planned = job.plan[target]!;
  const providerQueue = broker.queue(queued.queueName);
  const { reservation, reservedTokens } = context;
  const finishedAt = Date.now();

  if (reservation.limits.length > 0) {
    // A 429 was not counted by the provider; anything else that reached it probably was.
    if (error.outcome === 'rate_limited') await broker.quota.release({ ...reservation, reservedTokens });
    else await broker.quota.settle({ ...reservation, reservedTokens, usedTokens: context.inputTokens });
  }
  const pauseMs = providerPauseMs(error.outcome, error.retryAfterMs);
  if (pauseMs > 0) await providerQueue.rateLimit(pauseMs);
  if (error.outcome === 'rate_limited' && reservation.limits.length > 0) {
    // Our accounting admitted a call the provider refused: trust our view of its limits less.
    await broker.quota.tighten({ provider: reservation.provider, factor: 0.9, ttlMs: 600_000 });
  }

  const latency = await broker.expectedLatencyMs(planned.provider);
  const decision = decideAfterFailure(error.outcome, {
    tries: job.tries + 1,
    retriesPerTarget: broker.config.scheduling.retriesPerTarget,
    retryAfterMs: error.retryAfterMs,
    msUntilLatestStart: job.deadline - latency - finishedAt,
    hasNextTarget: context.hasNextTarget,
  });
  const attempt = attemptOf(planned, error.outcome, context.startedAt, finishedAt, {
    code: error.outcome,
    message: error.message,
  });

  if (decision.action === 'fail') {
    await broker.store.transition(job.id, {
      target,
      from: ['running'],
      to: 'failed',
      set: {
        completed_at: new Date(finishedAt).toISOString(),
        error: JSON.stringify({ code: error.outcome, message: error.message }),
      },
      attempt,
    });
    broker.hooks.attempt?.({ job, attempt, next: 'fail' });
    broker.hooks.finished?.(job, 'failed');
    return broker.afterTerminal(job);
  }
  if (decision.action === 'move') {
    await broker.moveOn(job, target, attempt);
    return;
  }

  const back = await broker.store.transition(job.id, { target, from: ['running'], to: 'queued', attempt });
  if (!back.applied) return;
  broker.hooks.attempt?.({ job, attempt, next: 'retry' });
  if (pauseMs > 0) throw new RateLimitError();
  await queued.moveToDelayed(Date.now() + decision.delayMs, token);
  throw new DelayedError();
}

/**
 * A provider that says a quota is at zero gets its queue paused until that quota resets —
 * for the units we have no configured limit of. Where we do, our own sliding-window account
 * is exact and knows when the next call fits, while the provider's reset time is when the
 * whole window refills, far later.
 */
async function pauseOnEmptyQuota(
  providerQueue: ReturnType<BrokerInternals['queue']>,
  hint: RateLimitHint | undefined,
  limits: ReturnType<BrokerInternals['limitsOf']>,
): Promise<void> {
  if (!hint) return;
  const known = new Set(limits.map((limit) => limit.unit));
  const empty = (['requests', 'tokens'] as const)
    .filter((unit) => !known.has(unit))
    .map((unit) => hint[unit])
    .filter((quota) => quota?.remaining === 0);
  if (empty.length === 0) return;
  const pauseMs = Math.max(...empty.map((quota) => quota?.resetMs ?? EMPTY_QUOTA_PAUSE_MS));
  if (pauseMs > 0) await providerQueue.rateLimit(pauseMs);
}

function attemptOf(
  planned: { provider: string; model: string },
  outcome: Attempt['outcome'],
  startedAt: number,
  finishedAt: number,
  error?: Attempt['error'],
): Attempt {
  return {
    provider: planned.provider,
    model: planned.model,
    outcome,
    ...(error ? { error } : {}),
    started_at: new Date(startedAt).toISOString(),
    finished_at: new Date(finishedAt).toISOString(),
    latency_ms: finishedAt - startedAt,
  };
}
