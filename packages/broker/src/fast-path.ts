import type { AttemptDeps } from './attempt-context.ts';
import type { RedisConnection } from './create-redis.ts';
import type { Job } from './job.ts';
import { recordOf } from './job-store/create-job-store.ts';
import type { Keys } from './keys.ts';
import { LIMITER } from './queues.ts';
import { createFastCallStarter } from './quota/start-fast-call.ts';
import { attemptingOf, callProvider, HOLD_MARGIN_MS } from './run-attempt.ts';

/**
 * The synchronous fast path: a client waits on the connection (`sync`), and the job's first
 * target has quota now, no backlog and a free slot, so the process that took the request makes
 * the first attempt itself instead of handing it to a worker through the queue.
 *
 * One Lua call (`quota/start-fast-call-n.lua`) reserves the quota and records the job as
 * `running` on that target, atomically: the record is durable before the provider is called.
 * The answer is recorded (`recordSuccess`, the worker's own code) before the client gets it.
 * Any failure goes through `handleFailure` as on a worker: the job is retried on the queue,
 * moved on or failed, with deadlines and webhooks as always. If this process dies, the job's
 * lease (`keys.fastCalls`) ends and the sweeper moves it on like a job whose worker died.
 *
 * A streamed job's deltas go through its Redis stream (`job-stream.ts`) as from a worker, and
 * this process's client reads them from there. The call may be over before that reader starts:
 * the reader reads the stream from its start, and reads what remains of it once it sees the
 * job terminal, so the whole answer reaches the client however late it joins.
 *
 * Off on a Redis Cluster: the job's, the queue's and the quota's keys are in different slots,
 * so one script cannot write them together; jobs take the queue path there. Off for a provider
 * with a key pool too: the worker chooses the group of keys that has room.
 */
export interface FastPath {
  /**
   * Records `job` as running on `target` and starts the call, when the target admits it now;
   * false (nothing written) when the job must take the queue path. The tenant's admission of
   * the job (`tenantLimits.admitJob`) must be sent before, on the same connection: the script
   * checks it, so both can go in one round trip.
   */
  start(job: Job, target: number): Promise<boolean>;
  /**
   * For a job this process runs on the fast path: the job once the attempt ended — as it
   * succeeded, or undefined when it continues elsewhere (queue, next target) or failed.
   * Undefined when this process runs no fast call for it.
   */
  running(id: string): Promise<Job | undefined> | undefined;
}

export function createFastPath(deps: {
  redis: RedisConnection;
  keys: Keys;
  attempt: AttemptDeps;
  /**
   * How long a fast call's lease lasts unrenewed (the workers' lock duration): a process that
   * dies mid-call leaves a `running` job that the sweeper takes over once the lease ended. It is
   * renewed every third of that while the call runs; the sweeper first looks at the job after
   * twice that.
   */
  leaseMs: number;
  onError?: (error: unknown) => void;
}): FastPath {
  const { redis, keys, attempt, leaseMs } = deps;
  const startCall = createFastCallStarter(redis, keys);
  const calls = new Map<string, Promise<Job | undefined>>();
  let listening: Promise<void> | undefined;

  async function run(job: Job, attempting: ReturnType<typeof attemptingOf>) {
    const fastCalls = keys.fastCalls(attempting.provider.id);
    const renew = setInterval(() => {
      redis.zadd(fastCalls, 'XX', Date.now() + leaseMs, job.id).catch(deps.onError ?? (() => {}));
    }, leaseMs / 3);
    renew.unref();
    try {
      return await callProvider(attempt, attempting);
    } finally {
      clearInterval(renew);
      // The slot is free; the lease goes (a crash here: it ends by itself). The job is terminal
      // or back on the queue by now, so the sweeper no longer needs it, and the client need
      // not wait for this.
      redis.zrem(fastCalls, job.id).catch(deps.onError ?? (() => {}));
    }
  }

  return {
    async start(job, target) {
      const planned = job.plan[target];
      if (!planned || !attempt.adapters.has(planned.provider)) return false;
      const provider = attempt.catalog.provider(planned.provider);
      // A provider backed off for refusing: let the queue path decide (leaveRefusingProvider).
      if (attempt.backoff?.isBackedOff(provider.id)) return false;
      // A key pool counts per group of keys, and the worker picks the group: the queue path.
      if (attempt.catalog.keyGroups(provider.id)) return false;
      // Cancelling must reach this process's call, as it reaches a worker's.
      listening ??= attempt.cancellations.listen();
      await listening;
      const attempting = attemptingOf(attempt, provider, job, target, `${job.id}.${target}.0`);
      const queue = attempt.queues.provider(provider.id);
      const now = Date.now();
      const started = await startCall({
        jobId: job.id,
        record: recordOf({ ...job, target, status: 'running', tries: 1 }),
        provider: provider.id,
        admittedIn: keys.tenantActiveJobs(job.tenant),
        concurrency: provider.concurrency,
        queue: {
          wait: queue.keys.wait!,
          prioritized: queue.keys.prioritized!,
          active: queue.keys.active!,
          meta: queue.keys.meta!,
          limiter: queue.keys.limiter!,
        },
        limits: attempting.limits,
        reservationId: attempting.reservation.reservationId,
        tokens: attempting.reservedTokens,
        holdMs: provider.timeoutMs + HOLD_MARGIN_MS,
        leaseUntil: now + leaseMs,
        firstSweepAt: now + 2 * leaseMs,
        limiterMax: LIMITER.max,
      });
      if (!started.started) return false;
      if (attempting.limits.length > 0)
        attempt.reservationSizes?.record(provider.id, attempting.reservedTokens);
      const done = run(job, attempting).finally(() => calls.delete(job.id));
      // The waiter reads the outcome; an error (Redis gone mid-way) must not go unhandled.
      const settled = done.catch((error: unknown) => {
        deps.onError?.(error);
        return undefined;
      });
      calls.set(job.id, settled);
      return true;
    },
    running: (id) => calls.get(id),
  };
}
