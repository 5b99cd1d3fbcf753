import type { Config } from '@switchyard/config';
import type { Catalog } from './catalog.ts';
import type { EstimateStart } from './estimate-start.ts';
import { estimateInputTokens } from './estimate-tokens.ts';
import type { Job, PlanTarget } from './job.ts';
import { resolveRoute } from './plan-route.ts';
import { isFixedWindow, providerUsage, type Quota, windowLengthMs } from './quota/index.ts';

/**
 * Spreading jobs over the targets of one cost tier. A `priority` or `cheapest` route keeps its
 * order between cost tiers only: among neighbouring targets of the same provider tier and price,
 * a job goes where it can start soonest, and a job refused by one target's spent quota moves to
 * the next one of its tier when that one can start it sooner.
 *
 * `strict: true` keeps the route's order, with one exception, **pacing**: a target whose
 * fixed-window caps (a calendar day or month, or a window with `resetsAt`) are spent slower than
 * their periods pass takes a job its tier's earlier targets cannot start now, if it can start it
 * now. What such a cap leaves unspent at its reset is lost, so keeping it for the jobs nothing
 * else can serve (strict's purpose) only wastes it while it is behind that pace.
 */
export interface Spread {
  /**
   * `targets` with each run of neighbouring same-tier targets ordered by estimated start
   * (ties keep the route's order). A run whose first target can start the job now is kept.
   */
  order(
    route: string,
    targets: PlanTarget[],
    waitOf: (target: PlanTarget) => Promise<number>,
  ): Promise<PlanTarget[]>;
  /**
   * When the job's target `target` can start it only in `waitMs`, the estimated start on its
   * next target if that one is of the same tier and starts it sooner; else undefined.
   */
  sooner(job: Job, target: number, waitMs: number): Promise<number | undefined>;
}

/** Whether two targets cost the same: the same provider tier and the same prices. */
export function sameCostTier(catalog: Catalog, a: PlanTarget, b: PlanTarget): boolean {
  const [priceA, priceB] = [catalog.model(a).price, catalog.model(b).price];
  return (
    catalog.provider(a.provider).tier === catalog.provider(b.provider).tier &&
    priceA.input === priceB.input &&
    priceA.output === priceB.output
  );
}

export function createSpread(deps: {
  config: Config;
  catalog: Catalog;
  quota: Quota;
  estimateStart: EstimateStart;
}): Spread {
  const { config, catalog, quota, estimateStart } = deps;

  /**
   * How the route spreads: `spread` over each cost tier, `paced` (strict) only onto targets
   * behind the pace of their fixed-window caps, or `off` (other strategies, or a name that no
   * longer resolves after a configuration change).
   */
  function modeOf(route: string): 'spread' | 'paced' | 'off' {
    try {
      const resolved = resolveRoute(config, route);
      if (resolved.strategy !== 'priority' && resolved.strategy !== 'cheapest') return 'off';
      return resolved.strict ? 'paced' : 'spread';
    } catch {
      return 'off';
    }
  }

  /**
   * Whether every fixed-window cap of `target` has more of its max left than of its period
   * (`remaining / max > resetMs / window`); false for a target without one.
   */
  async function behindPace(target: PlanTarget): Promise<boolean> {
    const limits = catalog.limitsOf(target);
    const fixed = limits.flatMap((limit, index) =>
      isFixedWindow(limit) ? [{ index, windowMs: windowLengthMs(limit) }] : [],
    );
    if (fixed.length === 0) return false;
    const usage = await providerUsage(quota, {
      provider: target.provider,
      groups: catalog.keyGroups(target.provider),
      limits,
    });
    return fixed.every(({ index, windowMs }) => {
      const state = usage[index];
      if (!state) return false;
      const max = state.used + state.remaining;
      return max > 0 && state.remaining / max > Math.min(1, state.resetMs / windowMs);
    });
  }

  return {
    async order(route, targets, waitOf) {
      const mode = modeOf(route);
      if (targets.length < 2 || mode === 'off') return targets;
      const ordered: PlanTarget[] = [];
      for (let start = 0; start < targets.length; ) {
        let end = start + 1;
        while (end < targets.length && sameCostTier(catalog, targets[start]!, targets[end]!)) end++;
        const run = targets.slice(start, end);
        start = end;
        if (run.length === 1 || (await waitOf(run[0]!)) === 0) {
          ordered.push(...run);
          continue;
        }
        if (mode === 'paced') {
          let chosen = -1;
          for (let index = 1; index < run.length && chosen < 0; index++) {
            if ((await waitOf(run[index]!)) === 0 && (await behindPace(run[index]!))) chosen = index;
          }
          ordered.push(...(chosen < 0 ? run : [run[chosen]!, ...run.filter((_, index) => index !== chosen)]));
          continue;
        }
        const waits = await Promise.all(run.map(waitOf));
        const byWait = run.map((target, index) => ({ target, index, wait: waits[index]! }));
        byWait.sort((a, b) => a.wait - b.wait || a.index - b.index);
        ordered.push(...byWait.map((entry) => entry.target));
      }
      return ordered;
    },

    async sooner(job, target, waitMs) {
      const here = job.plan[target];
      const next = job.plan[target + 1];
      const mode = modeOf(job.route);
      if (!here || !next || mode === 'off') return undefined;
      try {
        if (!sameCostTier(catalog, here, next)) return undefined;
      } catch {
        return undefined; // a target the configuration no longer has
      }
      const need = {
        inputTokens: estimateInputTokens(job.request.messages, job.request.tools),
        maxTokens: job.request.maxTokens,
      };
      const wait = await estimateStart(next, need, job.priority, job.tenant);
      if (mode === 'paced') return wait === 0 && (await behindPace(next)) ? wait : undefined;
      return wait < waitMs ? wait : undefined;
    },
  };
}
