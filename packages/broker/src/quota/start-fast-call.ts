import type { RedisConnection } from '../create-redis.ts';
import type { Keys } from '../keys.ts';
import { defineScripts } from '../scripts/define-scripts.ts';
import { checkInteger, limitArguments, type QuotaLimit } from './limit-arguments.ts';

/** The BullMQ keys of one provider queue the fast path looks at (BullMQ's `queue.keys`). */
export interface ProviderQueueKeys {
  wait: string;
  prioritized: string;
  active: string;
  meta: string;
  limiter: string;
}

export interface FastCallInput {
  jobId: string;
  /** The job record: hash field/value pairs and attempts (JSON), as `recordOf` gives them. */
  record: { pairs: string[]; attempts: string[] };
  provider: string;
  /** The tenant's active jobs (`keys.tenantActiveJobs`): the job must be there, admitted. */
  admittedIn: string;
  concurrency: number;
  queue: ProviderQueueKeys;
  limits: QuotaLimit[];
  reservationId: string;
  tokens: number;
  holdMs: number;
  /** Epoch ms (this process's clock) the lease ends, and the sweeper's first look at the job. */
  leaseUntil: number;
  firstSweepAt: number;
  /** The limiter's max: a queue-wide pause (`queue.rateLimit`) sets its counter to it. */
  limiterMax: number;
}

export type FastCallStart =
  | { started: true }
  | { started: false; reason: 'quota' | 'backlog' | 'paused' | 'busy' | 'not_admitted' | 'exists' };

/**
 * The fast path's one Lua call (`start-fast-call-n.lua`): the quota reserved and the job
 * recorded as running together, or neither. Standalone Redis only (one script, many slots).
 */
export function createFastCallStarter(
  redis: RedisConnection,
  keys: Keys,
): (input: FastCallInput) => Promise<FastCallStart> {
  const scripts = defineScripts(redis, { start: new URL('./start-fast-call-n.lua', import.meta.url) });
  return async (input) => {
    checkInteger('tokens', input.tokens, 0);
    checkInteger('holdMs', input.holdMs, 1);
    const call = limitArguments(keys, input.provider, input.limits);
    const { queue, record } = input;
    const reply = await scripts.start<[number, (number | string)?]>(
      [
        keys.job(input.jobId),
        keys.jobAttempts(input.jobId),
        keys.openJobs,
        keys.fastCalls(input.provider),
        queue.wait,
        queue.prioritized,
        queue.active,
        queue.meta,
        queue.limiter,
        input.admittedIn,
        keys.quotaScale(input.provider),
        ...call.keys,
      ],
      [
        input.reservationId,
        input.tokens,
        input.holdMs,
        '',
        input.concurrency,
        Date.now(),
        input.leaseUntil,
        input.firstSweepAt,
        input.limiterMax,
        input.jobId,
        record.pairs.length / 2,
        ...record.pairs,
        record.attempts.length,
        ...record.attempts,
        ...call.args,
      ],
    );
    if (reply[0] === 1) return { started: true };
    if (reply[0] === 0) return { started: false, reason: 'quota' };
    if (reply[0] === -2) return { started: false, reason: 'exists' };
    return { started: false, reason: reply[1] as 'backlog' | 'paused' | 'busy' | 'not_admitted' };
  };
}
