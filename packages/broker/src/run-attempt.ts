import type { ProviderConfig } from '@switchyard/config';
import { costOf } from '@switchyard/config';
import {
  type GenerateRequest,
  type GenerateResult,
  keyAdapterId,
  type ProviderAdapter,
  ProviderError,
  type RateLimitHint,
} from '@switchyard/spec';
import { DelayedError, type Job as QueueJob, RateLimitError } from 'bullmq';
import { type AttemptDeps, type Attempting, attemptOf } from './attempt-context.ts';
import { leaveRefusingProvider } from './backoff/leave-refusing-provider.ts';
import { deferLargeJob, reservesAhead } from './defer-large-job.ts';
import { estimateInputTokens, outputLimitOf } from './estimate-tokens.ts';
import { genAiRequestAttributes, genAiResponseAttributes } from './gen-ai-attributes.ts';
import { handleFailure } from './handle-failure.ts';
import { type Job, type JobResult, TERMINAL_STATUSES } from './job.ts';
import type { JobStreamDelta } from './job-stream.ts';
import type { QueuedJob } from './queues.ts';
import type { AcquireResult } from './quota/index.ts';
import { endSpan, tracer } from './tracing.ts';

/** Extra time a reservation is held beyond the provider timeout, should a worker die mid-call. */
export const HOLD_MARGIN_MS = 5_000;
/** When the provider reports a quota at zero, pause its queue this long if it gave no reset time. */
const EMPTY_QUOTA_PAUSE_MS = 1_000;

/**
 * One attempt of a queued job on a provider: reserve the quota, claim the job, call the
 * adapter (relaying a stream), then record the answer or hand the failure to `handleFailure`.
 */
export async function runAttempt(
  deps: AttemptDeps,
  provider: ProviderConfig,
  queued: QueueJob<QueuedJob>,
  token: string | undefined,
): Promise<void> {
  const { id, target } = queued.data;
  const job = await deps.store.get(id);
  if (!job) return;
  // Terminal already: make sure its follow-ups were queued (a worker may have died in between).
  if (TERMINAL_STATUSES.has(job.status)) return deps.dispatcher.afterTerminal(job);
  // A worker died between moving the job on and enqueueing it on its next target: finish the move.
  if (job.target > target) return deps.dispatcher.enqueue(job, job.target);
  if (job.target < target) return;
  if (await leaveRefusingProvider(deps, job, target)) return;

  const attempting = attemptingOf(
    deps,
    provider,
    job,
    target,
    `${id}.${target}.${queued.attemptsStarted}`,
    queued,
    token,
  );
  const { limits } = attempting;
  if (limits.length > 0 && !(await reserve(deps, attempting))) return;

  const claimed = await deps.store.transition(id, {
    target,
    from: ['queued', 'running'],
    to: 'running',
    incrementTries: true,
  });
  if (!claimed.applied) {
    if (limits.length > 0)
      await deps.quota.release({ ...attempting.reservation, reservedTokens: attempting.reservedTokens });
    return;
  }
  await callProvider(deps, attempting);
}

/**
 * What one attempt of `job` on `target` reserves and sends: the limits, the output limit, the
 * tokens. Shared by the queue's workers and the synchronous fast path (`fast-path.ts`), which
 * has no queue entry (`queued` undefined).
 */
export function attemptingOf(
  deps: Pick<AttemptDeps, 'catalog'>,
  provider: ProviderConfig,
  job: Job,
  target: number,
  reservationId: string,
  queued?: QueueJob<QueuedJob>,
  token?: string,
): Attempting {
  const planned = job.plan[target]!;
  const limits = deps.catalog.limitsOf(planned);
  const inputTokens = estimateInputTokens(job.request.messages, job.request.tools);
  // The call is sent with this limit and reserves exactly it: the quota is an upper bound.
  const outputLimit = outputLimitOf(job.request, deps.catalog.model(planned), deps.catalog);
  return {
    job,
    target,
    planned,
    provider,
    queued,
    token,
    limits,
    reservation: { provider: provider.id, limits, reservationId },
    inputTokens,
    outputLimit,
    reservedTokens: inputTokens + outputLimit,
    startedAt: 0,
  };
}

/**
 * Reserves the quota; false when the job moved on instead. Throws `RateLimitError` to wait
 * with the whole queue, `DelayedError` to wait alone (see `deferLargeJob`).
 */
async function reserve(deps: AttemptDeps, attempting: Attempting): Promise<boolean> {
  const { job, target, provider, reservedTokens } = attempting;
  let waitedAlone = false;
  for (;;) {
    const grant = await acquire(deps, attempting, provider.timeoutMs + HOLD_MARGIN_MS);
    if (grant.granted) {
      deps.reservationSizes?.record(provider.id, reservedTokens);
      return true;
    }
    if (grant.retryAfterMs < 0) {
      await deps.dispatcher.skip(
        job,
        target,
        'quota_never_fits',
        `${reservedTokens} tokens exceed a token limit`,
      );
      return false;
    }
    const latencyMs = await deps.latency.expectedMs(provider.id);
    const tooLate = Date.now() + grant.retryAfterMs + latencyMs > job.deadline;
    if (target < job.plan.length - 1 && tooLate) {
      const message = `quota frees in ${grant.retryAfterMs} ms, too late for the deadline`;
      await deps.dispatcher.skip(job, target, 'quota_wait_exceeds_deadline', message);
      return false;
    }
    const sooner = await deps.spread?.sooner(job, target, grant.retryAfterMs);
    if (sooner !== undefined) {
      const message = `quota frees in ${grant.retryAfterMs} ms; the next target of this price starts it in ${sooner} ms`;
      await deps.dispatcher.skip(job, target, 'quota_sooner_elsewhere', message);
      return false;
    }
    // Too large for the room a token limit has left, while smaller jobs fit: wait alone.
    const alone = await deferLargeJob(deps, attempting, { ...grant, waitedAlone });
    if (alone === 'delayed') throw new DelayedError();
    if (alone === 'hold') {
      waitedAlone = true;
      await sleep(grant.retryAfterMs);
      continue;
    }
    // The quota is spent for every worker: pause the whole queue until it frees.
    await deps.queues.provider(provider.id).rateLimit(grant.retryAfterMs);
    if (!reservesAhead(attempting, grant.retryAfterMs, waitedAlone)) throw new RateLimitError();
    // A large job that already waited alone keeps its slot while the queue is paused, so no
    // smaller job picked up when the pause ends takes the room it waits for.
    await sleep(grant.retryAfterMs);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Process-local turn of the keys within each group of a pool (keys of a group share counters). */
const keyTurns = new Map<string, number>();

/**
 * Reserves on the provider's counters; for a key pool, on the first group of keys, in their
 * order, that has room (groups backed off after a refusal come only when every group is), and
 * the call goes out with a key of that group. Refused everywhere: the refusal that frees first
 * (its group's counters are then `reservation.provider`, for `deferLargeJob`).
 */
async function acquire(deps: AttemptDeps, attempting: Attempting, holdMs: number): Promise<AcquireResult> {
  const { reservation, reservedTokens: tokens } = attempting;
  const groups = deps.catalog.keyGroups(attempting.provider.id);
  if (!groups) return deps.quota.acquire({ ...reservation, tokens, holdMs });
  const ready = groups.filter((group) => !deps.backoff?.isBackedOff(group.quotaId));
  let soonest: { grant: AcquireResult; quotaId: string } | undefined;
  for (const group of ready.length > 0 ? ready : groups) {
    const grant = await deps.quota.acquire({ ...reservation, provider: group.quotaId, tokens, holdMs });
    if (grant.granted) {
      const turn = keyTurns.get(group.quotaId) ?? 0;
      keyTurns.set(group.quotaId, turn + 1);
      const key = group.keys[turn % group.keys.length]!;
      reservation.provider = group.quotaId;
      attempting.key = { quotaId: group.quotaId, fingerprint: key.fingerprint };
      return grant;
    }
    if (!soonest || freesSooner(grant, soonest.grant)) soonest = { grant, quotaId: group.quotaId };
  }
  reservation.provider = soonest!.quotaId;
  return soonest!.grant;
}

/** A refusal that will admit the call before `other` does (-1: never). */
function freesSooner(refusal: AcquireResult, other: AcquireResult): boolean {
  if (refusal.granted || other.granted) return false;
  if (refusal.retryAfterMs < 0) return false;
  return other.retryAfterMs < 0 || refusal.retryAfterMs < other.retryAfterMs;
}

/**
 * Calls the provider for a claimed attempt (its quota reserved, the job `running`), then
 * records the answer or hands the failure to `handleFailure`. The job as it succeeded, or
 * undefined when it did not (it failed, moved on, waits for a retry, or was cancelled).
 */
export async function callProvider(deps: AttemptDeps, attempting: Attempting): Promise<Job | undefined> {
  const { job, target, planned, provider, reservation, reservedTokens } = attempting;
  const controller = deps.cancellations.track(job.id);
  attempting.startedAt = Date.now();
  const span = tracer.startSpan('switchyard.attempt', {
    attributes: {
      'switchyard.job.id': job.id,
      'switchyard.job.route': job.route,
      'switchyard.provider': provider.id,
      'switchyard.model': planned.model,
      'switchyard.target': target,
    },
  });
  const relay = { chunks: 0 };
  let result: GenerateResult;
  try {
    const request: GenerateRequest = {
      ...job.request,
      model: planned.model,
      maxTokens: attempting.outputLimit,
      signal: controller.signal,
    };
    span.setAttributes(genAiRequestAttributes(provider, request));
    const adapter = adapterOf(deps, provider.id, attempting.key?.fingerprint);
    result = job.stream
      ? await relayStream(deps, job.id, adapter, request, relay)
      : await adapter.generate(request);
    // An answer the request's contract refuses (JSON that breaks a strict schema) is a bad
    // response like any malformed one: retried, then the next target.
    const problem = deps.validate?.(result, job);
    if (problem)
      throw new ProviderError({ outcome: 'bad_response', provider: provider.id, message: problem });
  } catch (caught) {
    deps.cancellations.untrack(job.id);
    endSpan(span, ProviderError.isInstance(caught) ? caught.outcome : 'error', true);
    if (controller.signal.aborted) {
      // Cancelled: the job is terminal already; the call reached the provider.
      if (reservation.limits.length > 0)
        await deps.quota.settle({
          ...reservation,
          reservedTokens,
          usedTokens: provider.tokenAccounting === 'max-tokens' ? reservedTokens : attempting.inputTokens,
        });
      return undefined;
    }
    const message = caught instanceof Error ? caught.message : String(caught);
    // The client already holds part of this answer: another provider cannot continue it.
    if (relay.chunks > 0)
      await handleFailure(deps, attempting, 'stream_interrupted', {
        message: `the stream broke after ${relay.chunks} chunks: ${message}`,
      });
    else if (ProviderError.isInstance(caught)) await handleFailure(deps, attempting, caught.outcome, caught);
    else await handleFailure(deps, attempting, 'server_error', { message });
    return undefined;
  }
  deps.cancellations.untrack(job.id);
  span.setAttributes({
    'switchyard.tokens.input': result.usage.inputTokens,
    'switchyard.tokens.output': result.usage.outputTokens,
    ...genAiResponseAttributes(result),
  });
  endSpan(span, 'succeeded', false);
  return recordSuccess(deps, attempting, result);
}

async function recordSuccess(
  deps: AttemptDeps,
  attempting: Attempting,
  result: GenerateResult,
): Promise<Job> {
  const { job, target, planned, provider, reservation, reservedTokens, startedAt } = attempting;
  const model = deps.catalog.model(planned);
  const finishedAt = Date.now();
  const used = result.usage.inputTokens + result.usage.outputTokens;
  // A provider that counts max_tokens keeps counting the whole reservation: so do we.
  const usedTokens = provider.tokenAccounting === 'max-tokens' ? Math.max(used, reservedTokens) : used;
  // Cached input and cache writes at their own prices, reasoning tokens as output.
  const cost = costOf(result.usage, model.price);
  // Sent together (one write, with auto-pipelining) and awaited together: the job's success
  // does not wait for the bookkeeping.
  if (attempting.key) deps.backoff?.onKeyOutcome(attempting.key.quotaId, 'succeeded');
  const bookkeeping = Promise.all([
    reservation.limits.length > 0
      ? deps.quota.settle({ ...reservation, reservedTokens, usedTokens })
      : undefined,
    deps.latency.record(provider.id, finishedAt - startedAt),
    pauseOnEmptyQuota(deps, attempting, result.rateLimit),
    deps.dispatcher.clearDeadline(job, target),
  ]);
  const attempt = attemptOf(planned, 'succeeded', startedAt, finishedAt);
  const jobResult: JobResult = {
    content: result.content,
    ...(result.toolCalls?.length ? { tool_calls: result.toolCalls } : {}),
    finish_reason: result.finishReason,
    provider: provider.id,
    model: planned.model,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
    cost_usd: Number(cost.toFixed(8)),
    latency_ms: finishedAt - startedAt,
  };
  const completedAt = new Date(finishedAt).toISOString();
  const succeeded = deps.store.transition(job.id, {
    target,
    from: ['running'],
    to: 'succeeded',
    set: { completed_at: completedAt, result: JSON.stringify(jobResult) },
    attempt,
  });
  await Promise.all([bookkeeping, succeeded]);
  deps.hooks.attempt?.({ job, attempt, next: 'done', usage: result.usage, costUsd: cost });
  deps.hooks.finished?.(job, 'succeeded');
  if (job.stream) await deps.streams.end(job.id);
  await deps.dispatcher.afterTerminal(job);
  return {
    ...job,
    status: 'succeeded',
    tries: job.tries + 1,
    result: jobResult,
    attempts: [...job.attempts, attempt],
    completed_at: completedAt,
  };
}

/** The provider's adapter, or the one calling with a given key of its pool. */
function adapterOf(deps: AttemptDeps, providerId: string, fingerprint?: string): ProviderAdapter {
  const adapter =
    (fingerprint === undefined ? undefined : deps.adapters.get(keyAdapterId(providerId, fingerprint))) ??
    deps.adapters.get(providerId);
  if (!adapter) throw new Error(`no adapter for provider ${providerId}`);
  return adapter;
}

/**
 * Calls the provider streaming (or, for an adapter that cannot, in one piece) and appends each
 * delta to the job's stream, where the API process that holds the client reads it.
 */
async function relayStream(
  deps: AttemptDeps,
  jobId: string,
  adapter: ProviderAdapter,
  request: GenerateRequest,
  relay: { chunks: number },
): Promise<GenerateResult> {
  const append = async (event: JobStreamDelta) => {
    await deps.streams.append(jobId, event);
    relay.chunks++;
  };
  if (!adapter.stream) {
    const result = await adapter.generate(request);
    if (result.content) await append({ type: 'delta', text: result.content });
    for (const [index, call] of (result.toolCalls ?? []).entries())
      await append({
        type: 'tool_call_delta',
        index,
        id: call.id,
        name: call.name,
        arguments: call.arguments,
      });
    return result;
  }
  for await (const event of adapter.stream(request)) {
    if (event.type === 'done') return event.result;
    await append(event);
  }
  throw new ProviderError({
    outcome: 'bad_response',
    provider: adapter.id,
    message: 'the stream ended without a result',
  });
}

/**
 * A provider that says a quota is at zero gets its queue paused until that quota resets —
 * for the units we have no configured limit of. Where we do, our own sliding-window account
 * is exact and knows when the next call fits, while the provider's reset time is when the
 * whole window refills, far later.
 */
async function pauseOnEmptyQuota(
  deps: AttemptDeps,
  attempting: Attempting,
  hint: RateLimitHint | undefined,
): Promise<void> {
  if (!hint) return;
  const known = new Set(attempting.limits.map((limit) => limit.unit));
  const empty = (['requests', 'tokens'] as const)
    .filter((unit) => !known.has(unit))
    .map((unit) => hint[unit])
    .filter((quota) => quota?.remaining === 0);
  if (empty.length === 0) return;
  const pauseMs = Math.max(...empty.map((quota) => quota?.resetMs ?? EMPTY_QUOTA_PAUSE_MS));
  if (pauseMs > 0) await deps.queues.provider(attempting.provider.id).rateLimit(pauseMs);
}
