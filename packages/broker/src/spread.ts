import type { Config } from '@switchyard/config';
import type { Catalog } from './catalog.ts';
import type { EstimateStart } from './estimate-start.ts';
import { estimateInputTokens } from './estimate-tokens.ts';
import type { Job, PlanTarget } from './job.ts';
import { resolveRoute } from './plan-route.ts';

/**
 * Spreading jobs over the targets of one cost tier. A `priority` or `cheapest` route keeps its
 * order between cost tiers only: among neighbouring targets of the same provider tier and price,
 * a job goes where it can start soonest, and a job refused by one target's spent quota moves to
 * the next one of its tier when that one can start it sooner. `strict: true` turns this off.
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
  estimateStart: EstimateStart;
}): Spread {
  const { config, catalog, estimateStart } = deps;

  /** Whether the route spreads; false for a name that no longer resolves (config changed). */
  function spreads(route: string): boolean {
    try {
      const resolved = resolveRoute(config, route);
      return !resolved.strict && (resolved.strategy === 'priority' || resolved.strategy === 'cheapest');
    } catch {
      return false;
    }
  }

  return {
    async order(route, targets, waitOf) {
      if (targets.length < 2 || !spreads(route)) return targets;
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
      if (!here || !next || !spreads(job.route)) return undefined;
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
      return wait < waitMs ? wait : undefined;
    },
  };
}
