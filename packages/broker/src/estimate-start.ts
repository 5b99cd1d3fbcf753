import type { Catalog } from './catalog.ts';
import type { RedisConnection } from './create-redis.ts';
import { reservedTokensOf, type TokenNeed } from './estimate-tokens.ts';
import type { FairShare } from './fair-share/create-fair-share.ts';
import type { PlanTarget, Priority } from './job.ts';
import type { LatencyStats } from './latency-stats.ts';
import { waitingAhead } from './queue-priority.ts';
import { LIMITER, type Queues } from './queues.ts';
import { providerUsage, type Quota, windowLengthMs } from './quota/index.ts';

/**
 * Milliseconds from now until `target` could start one more job of this size and priority, of
 * `tenant` (its fair-share turn decides which waiting jobs are ahead; without a tenant, every
 * waiting job of its class or a more urgent one is). `urgent`: the job once promoted near its
 * latest start, behind the jobs promoted before it only. The job reserves what the worker will
 * (`reservedTokensOf`, with the target's model).
 */
export type EstimateStart = (
  target: PlanTarget,
  need: TokenNeed,
  priority: Priority | 'urgent',
  tenant?: string,
) => Promise<number>;

/**
 * The queue's current pause; then, for every limit, how many windows the backlog ahead needs
 * beyond what is left now; and the backlog divided by concurrency times the measured latency.
 */
export function createStartEstimator(deps: {
  redis: RedisConnection;
  queues: Queues;
  fairShare: FairShare;
  catalog: Catalog;
  quota: Quota;
  latency: LatencyStats;
}): EstimateStart {
  const { redis, queues, fairShare, catalog, quota, latency } = deps;
  return async (target, need, priority, tenant) => {
    const reservedTokens = reservedTokensOf(need, catalog.model(target), catalog);
    const providerQueue = queues.provider(target.provider);
    const limits = catalog.limitsOf(target);
    const [backlog, pausedMs, usage, latencyMs] = await Promise.all([
      tenant === undefined || priority === 'urgent'
        ? waitingAhead(redis, providerQueue, priority)
        : fairShare.waitingAhead(providerQueue, { tenant, priority }),
      providerQueue.getRateLimitTtl(LIMITER.max),
      providerUsage(quota, { provider: target.provider, groups: catalog.keyGroups(target.provider), limits }),
      latency.expectedMs(target.provider),
    ]);
    let wait = Math.max(0, pausedMs);
    limits.forEach((limit, index) => {
      const state = usage[index];
      if (!state) return;
      const need = (backlog + 1) * (limit.unit === 'requests' ? 1 : reservedTokens);
      if (need <= state.remaining) return;
      const windowMs = windowLengthMs(limit);
      // A key pool admits its max once per group of keys.
      const perWindow = limit.max * (catalog.keyGroups(target.provider)?.length ?? 1);
      const extraWindows = Math.ceil((need - state.remaining) / perWindow);
      wait = Math.max(wait, state.resetMs + (extraWindows - 1) * windowMs);
    });
    const concurrency = catalog.provider(target.provider).concurrency;
    return Math.max(wait, Math.floor(backlog / concurrency) * latencyMs);
  };
}
