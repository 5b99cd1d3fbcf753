import type { Config, ModelConfig, ProviderConfig } from '@switchyard/config';
import type { RedisConnection } from '../create-redis.ts';
import type { AttemptEvent } from '../dispatcher.ts';
import type { Job } from '../job.ts';
import { createKeys } from '../keys.ts';
import { defineScripts } from '../scripts/define-scripts.ts';
import { dayOf, daysBetween, monthOf, periodStart } from './periods.ts';
import { field, fieldPrefix, METRICS, type Metric, parseField, USAGE_TTL_SECONDS } from './usage-fields.ts';

/** How often each process re-reads the spend of every budget from Redis. */
const DEFAULT_REFRESH_MS = 500;

type BudgetConfig = Config['budgets'][number];

export interface BudgetsOptions {
  redis: RedisConnection;
  /** The Redis key prefix (`config.redis.prefix`). */
  prefix: string;
  config: Config;
  refreshMs?: number;
  now?: () => number;
  /**
   * A usage write Redis refused (the attempt is then missing from the reports). Recording never
   * delays or fails the job, so this is the only place such an error shows.
   */
  onError?: (error: unknown) => void;
}

export interface UsageTotals {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  requests: number;
  /** What the same work would have cost on the route's paid target, minus what it cost. */
  savingsUsd: number;
}

export type UsageGroupBy = 'provider' | 'route' | 'day';

export interface UsageReport {
  total: UsageTotals;
  groups: (UsageTotals & { key: string })[];
}

export interface BudgetStatus {
  scope: 'overall' | { tenant: string };
  usd: number;
  per: 'day' | 'month';
  /** First day (`YYYY-MM-DD`, UTC) of the current period. */
  periodStart: string;
  spentUsd: number;
  remainingUsd: number;
}

export interface Budgets {
  /** The broker's `hooks.attempt`: records the cost and tokens of every successful attempt. */
  onAttempt(event: AttemptEvent): void;
  /** For `broker.checks.budgetAllows`: synchronous, from the in-process spend cache. */
  budgetAllows(provider: ProviderConfig, model: ModelConfig, tenant: string | undefined): boolean;
  /** One tenant's usage over whole UTC days, `from` to `to` included. */
  usage(tenant: string, range: { from: string; to: string; groupBy: UsageGroupBy }): Promise<UsageReport>;
  /** The budgets that apply to a tenant (overall and its own), read from Redis now. */
  status(tenant: string): Promise<BudgetStatus[]>;
  /** Re-reads every budget's spend from Redis (done every `refreshMs` on its own). */
  refresh(): Promise<void>;
  /** Resolves once every recording started so far is written. */
  flush(): Promise<void>;
  close(): void;
}

const isPaid = (provider: ProviderConfig, model: ModelConfig) =>
  provider.tier === 'paid' && (model.price.input > 0 || model.price.output > 0);

const round = (value: number) => Math.round(value * 1e8) / 1e8;

function emptyTotals(): UsageTotals {
  return { costUsd: 0, inputTokens: 0, outputTokens: 0, requests: 0, savingsUsd: 0 };
}

export function createBudgets(options: BudgetsOptions): Budgets {
  const { redis, config } = options;
  const now = options.now ?? Date.now;
  const keys = createKeys(options.prefix);
  const scripts = defineScripts(redis, { recordUsage: new URL('./record-usage-1.lua', import.meta.url) });
  const budgets = config.budgets;
  /** Spend per budget as last read from Redis, for the period it was read for. */
  const read: { period: string; spent: number }[] = budgets.map(() => ({ period: '', spent: 0 }));
  /** Spend recorded in this process whose write Redis has not answered yet. */
  const pending: { period: string; spent: number }[] = budgets.map(() => ({ period: '', spent: 0 }));
  const writes = new Set<Promise<unknown>>();

  function lookup(providerId: string, modelName: string) {
    const provider = config.providers.find((candidate) => candidate.id === providerId);
    const model = provider?.models.find((candidate) => candidate.name === modelName);
    return provider && model ? { provider, model } : undefined;
  }

  /** The most expensive paid target (per token) of the job's plan, else of its route. */
  function paidReference(job: Job): ModelConfig | undefined {
    const candidates = [...job.plan, ...(config.routes[job.route]?.targets ?? [])];
    let best: ModelConfig | undefined;
    for (const target of candidates) {
      const found = lookup(target.provider, target.model);
      if (!found || !isPaid(found.provider, found.model)) continue;
      const perToken = found.model.price.input + found.model.price.output;
      if (!best || perToken > best.price.input + best.price.output) best = found.model;
    }
    return best;
  }

  const applies = (budget: BudgetConfig, tenant: string | undefined) =>
    budget.scope === 'overall' || budget.scope.tenant === tenant;

  const periodOf = (budget: BudgetConfig, ms: number) => (budget.per === 'day' ? dayOf(ms) : monthOf(ms));

  function spendLocation(budget: BudgetConfig, ms: number): [string, string] {
    const key = budget.per === 'day' ? keys.usageDay(dayOf(ms)) : keys.usageMonth(monthOf(ms));
    return [
      key,
      budget.scope === 'overall' ? field('total', '', 'cost') : field('tenant', budget.scope.tenant, 'cost'),
    ];
  }

  function cachedSpend(index: number, ms: number): number {
    const period = periodOf(budgets[index]!, ms);
    const fromRedis = read[index]!.period === period ? read[index]!.spent : 0;
    const local = pending[index]!.period === period ? pending[index]!.spent : 0;
    return fromRedis + local;
  }

  function record(event: AttemptEvent): void {
    const { job, attempt, usage } = event;
    if (attempt.outcome !== 'succeeded' || !usage) return;
    const at = now();
    const cost = event.costUsd ?? 0;
    const reference = paidReference(job);
    const referenceCost = reference
      ? (usage.inputTokens * reference.price.input + usage.outputTokens * reference.price.output) / 1e6
      : cost;
    const values: Record<Metric, number> = {
      cost,
      ref: Math.max(referenceCost, cost),
      in: usage.inputTokens,
      out: usage.outputTokens,
      req: 1,
    };
    const metrics = METRICS.map((metric) => values[metric]);
    const day = dayOf(at);
    const provider = fieldPrefix('provider', attempt.provider);
    const route = fieldPrefix('route', job.route);
    const tenant = fieldPrefix('tenant', job.tenant);
    // One script per hash: the three hashes hash to different Redis Cluster slots (a day's, a
    // tenant's day and a month's). Each is updated atomically; should this process die between
    // them, a report may miss one attempt that another counts (usage is a report, not a ledger).
    const written = Promise.all([
      scripts.recordUsage(
        [keys.usageDay(day)],
        [...metrics, USAGE_TTL_SECONDS, 'all', 'total:', provider, route, tenant],
      ),
      scripts.recordUsage(
        [keys.usageTenantDay(job.tenant, day)],
        [...metrics, USAGE_TTL_SECONDS, 'all', 'total:', provider, route],
      ),
      scripts.recordUsage(
        [keys.usageMonth(monthOf(at))],
        [...metrics, USAGE_TTL_SECONDS, 'cost', 'total:', tenant],
      ),
    ]);

    // Counted at once in this process; moved out of `pending` once Redis has it.
    const counted: { index: number; period: string }[] = [];
    budgets.forEach((budget, index) => {
      if (cost <= 0 || !applies(budget, job.tenant)) return;
      const period = periodOf(budget, at);
      const entry = pending[index]!;
      if (entry.period !== period) Object.assign(entry, { period, spent: 0 });
      entry.spent += cost;
      counted.push({ index, period });
    });
    // Redis answers in order on one connection (on a cluster, one per node, and a key always
    // goes to its node's): a refresh sent before these writes is answered before them (and
    // misses them), one sent after includes them. So on the write's answer its cost
    // moves from `pending` to `read`, in the first reaction, before any refresh's continuation.
    const settle = () => {
      writes.delete(write);
      for (const { index, period } of counted) {
        const entry = pending[index]!;
        if (entry.period === period) entry.spent = Math.max(0, entry.spent - cost);
        if (read[index]!.period === period) read[index]!.spent += cost;
      }
    };
    const write: Promise<unknown> = written.then(settle, (error: unknown) => {
      settle();
      options.onError?.(error);
    });
    writes.add(write);
  }

  async function readSpend(at: number): Promise<number[]> {
    if (budgets.length === 0) return [];
    // One command per key (auto-pipelined), not a pipeline: the keys may live on different
    // Redis Cluster masters.
    const values = await Promise.all(budgets.map((budget) => redis.hget(...spendLocation(budget, at))));
    return values.map((value) => Number(value ?? 0) || 0);
  }

  let refreshing: Promise<void> | undefined;
  async function refresh(): Promise<void> {
    if (refreshing) return refreshing;
    refreshing = (async () => {
      const at = now();
      const spent = await readSpend(at);
      spent.forEach((value, index) => {
        read[index] = { period: periodOf(budgets[index]!, at), spent: value };
      });
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  const timer =
    budgets.length > 0
      ? setInterval(() => {
          refresh().catch(() => undefined);
        }, options.refreshMs ?? DEFAULT_REFRESH_MS)
      : undefined;
  timer?.unref();
  if (budgets.length > 0) refresh().catch(() => undefined);

  return {
    onAttempt(event) {
      try {
        record(event);
      } catch {
        // An observer must not break the attempt it observes.
      }
    },

    budgetAllows(provider, model, tenant) {
      if (!isPaid(provider, model)) return true;
      const at = now();
      return budgets.every(
        (budget, index) => !applies(budget, tenant) || cachedSpend(index, at) < budget.usd,
      );
    },

    async usage(tenant, { from, to, groupBy }) {
      const days = daysBetween(from, to);
      // One command per day (auto-pipelined): the days may live on different cluster masters.
      const results = await Promise.all(days.map((day) => redis.hgetall(keys.usageTenantDay(tenant, day))));
      const total = emptyTotals();
      const groups = new Map<string, UsageTotals>();
      const addTo = (totals: UsageTotals, metric: Metric, value: number) => {
        if (metric === 'cost') totals.costUsd += value;
        else if (metric === 'ref') totals.savingsUsd += value;
        else if (metric === 'in') totals.inputTokens += value;
        else if (metric === 'out') totals.outputTokens += value;
        else if (metric === 'req') totals.requests += value;
      };
      results.forEach((hash, index) => {
        for (const [name, text] of Object.entries(hash)) {
          const parsed = parseField(name);
          if (!parsed) continue;
          const [group, key, metric] = parsed;
          const value = Number(text) || 0;
          if (group === 'total') {
            addTo(total, metric, value);
            if (groupBy === 'day') {
              const day = days[index]!;
              if (!groups.has(day)) groups.set(day, emptyTotals());
              addTo(groups.get(day)!, metric, value);
            }
          } else if (group === groupBy) {
            if (!groups.has(key)) groups.set(key, emptyTotals());
            addTo(groups.get(key)!, metric, value);
          }
        }
      });
      // `savingsUsd` summed the reference cost so far: subtract what was paid.
      const finish = (totals: UsageTotals): UsageTotals => ({
        costUsd: round(totals.costUsd),
        inputTokens: totals.inputTokens,
        outputTokens: totals.outputTokens,
        requests: totals.requests,
        savingsUsd: round(Math.max(0, totals.savingsUsd - totals.costUsd)),
      });
      return {
        total: finish(total),
        groups: [...groups.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, totals]) => ({ key, ...finish(totals) })),
      };
    },

    async status(tenant) {
      const at = now();
      const spent = await readSpend(at);
      return budgets.flatMap((budget, index) =>
        applies(budget, tenant)
          ? [
              {
                scope: budget.scope,
                usd: budget.usd,
                per: budget.per,
                periodStart: periodStart(budget.per, at),
                spentUsd: round(spent[index] ?? 0),
                remainingUsd: round(Math.max(0, budget.usd - (spent[index] ?? 0))),
              },
            ]
          : [],
      );
    },

    refresh,

    async flush() {
      await Promise.all([...writes]);
    },

    close() {
      if (timer) clearInterval(timer);
    },
  };
}
