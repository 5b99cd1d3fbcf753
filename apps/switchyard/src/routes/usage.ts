import { dayOf, isDate, monthOf, type UsageTotals } from '@switchyard/broker';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../api-error.ts';

/** The longest range one request may read (one Redis hash per day). */
const MAX_DAYS = 400;

const date = z
  .string()
  .refine(isDate, { message: 'expected a date YYYY-MM-DD' })
  .describe('A UTC day, YYYY-MM-DD');

const UsageQuery = z.object({
  from: date.optional().describe('First UTC day, included (default: the first of this month)'),
  to: date.optional().describe('Last UTC day, included (default: today)'),
  group_by: z.enum(['provider', 'route', 'day']).default('provider'),
});

const Totals = z.object({
  cost_usd: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  requests: z.number(),
  savings_usd: z.number(),
});

const UsedOf = z.object({ used: z.number(), limit: z.number() });

const UsageView = z.object({
  object: z.literal('usage'),
  from: z.string(),
  to: z.string(),
  group_by: z.enum(['provider', 'route', 'day']),
  total: Totals,
  data: z.array(Totals.extend({ key: z.string() })),
  budgets: z.array(
    z.object({
      scope: z.union([z.literal('overall'), z.object({ tenant: z.string() })]),
      usd: z.number(),
      per: z.enum(['day', 'month']),
      period_start: z.string(),
      spent_usd: z.number(),
      remaining_usd: z.number(),
    }),
  ),
  /** The tenant's limits now (docs/security.md): what it uses of each. */
  limits: z.object({
    storage_bytes: UsedOf,
    queued_jobs: UsedOf,
    streams: UsedOf,
    requests_per_second: z.object({ limit: z.number() }),
  }),
});

const toTotals = (totals: UsageTotals) => ({
  cost_usd: totals.costUsd,
  input_tokens: totals.inputTokens,
  output_tokens: totals.outputTokens,
  requests: totals.requests,
  savings_usd: totals.savingsUsd,
});

export const usageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  app.get(
    '/v1/usage',
    {
      schema: {
        summary:
          "The caller's spend, tokens and savings per provider, route or day, its budgets, and its limits",
        querystring: UsageQuery,
        response: { 200: UsageView },
      },
    },
    async (request) => {
      const now = Date.now();
      const from = request.query.from ?? `${monthOf(now)}-01`;
      const to = request.query.to ?? dayOf(now);
      const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
      if (days < 1)
        throw new ApiError(400, 'invalid_request', 'from must not be after to', { field: 'from' });
      if (days > MAX_DAYS) {
        throw new ApiError(400, 'invalid_request', `at most ${MAX_DAYS} days at once`, { field: 'to' });
      }
      const groupBy = request.query.group_by;
      const { tenantLimits } = services.broker;
      const [report, budgets, held] = await Promise.all([
        services.budgets.usage(request.tenant, { from, to, groupBy }),
        services.budgets.status(request.tenant),
        tenantLimits.usage(request.tenant),
      ]);
      const limits = tenantLimits.limitsOf(request.tenant);
      return {
        object: 'usage' as const,
        from,
        to,
        group_by: groupBy,
        total: toTotals(report.total),
        data: report.groups.map((group) => ({ key: group.key, ...toTotals(group) })),
        budgets: budgets.map((budget) => ({
          scope: budget.scope,
          usd: budget.usd,
          per: budget.per,
          period_start: budget.periodStart,
          spent_usd: budget.spentUsd,
          remaining_usd: budget.remainingUsd,
        })),
        limits: {
          storage_bytes: { used: held.storage, limit: limits.storage },
          queued_jobs: { used: held.queuedJobs, limit: limits.queuedJobs },
          streams: { used: held.streams, limit: limits.streams },
          requests_per_second: { limit: limits.requestsPerSecond },
        },
      };
    },
  );
};
