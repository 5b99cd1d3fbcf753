import { type Broker, providerUsage } from '@switchyard/broker';
import { type KeyGroup, keyGroupsOf } from '@switchyard/config';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../api-error.ts';
import { createAdminAuthenticator } from '../plugins/authentication.ts';
import { ErrorResponse } from '../schemas/error.ts';

const ProviderView = z.object({
  id: z.string(),
  kind: z.string(),
  tier: z.string(),
  data_policy: z.string(),
  health: z.enum(['healthy', 'unhealthy', 'probing']),
  health_reason: z.string().nullable(),
  concurrency: z.number(),
  models: z.array(z.object({ name: z.string(), context_window: z.number() })),
  limits: z.array(
    z.object({
      scope: z.string(),
      unit: z.string(),
      /** As configured (`max` is the same number, kept for older clients). */
      max: z.number(),
      limit: z.number(),
      /** What the quota admits now: `limit` times the tightening factor, at least 1. */
      effective_limit: z.number(),
      /** Milliseconds, `day` or `month`. */
      per: z.union([z.number(), z.literal('day'), z.literal('month')]),
      /** The zone whose midnight starts a `day` or `month` (null: a sliding window, or a UTC month). */
      time_zone: z.string().nullable(),
      /** A fixed window of `per` ms: one instant it resets at (null: a sliding window). */
      resets_at: z.string().nullable().describe('ISO 8601'),
      used: z.number(),
      remaining: z.number(),
      reset_ms: z.number(),
    }),
  ),
  /** Limits lowered after the provider answered 429 although our accounting admitted the call. */
  tightened: z
    .object({ factor: z.number(), reason: z.string(), until: z.string().describe('ISO 8601') })
    .nullable(),
  keys: z
    .array(
      z.object({
        fingerprint: z.string().describe("The first 8 hex digits of the key's SHA-256; never the key"),
        quota_group: z.string(),
        limits: z.array(
          z.object({
            scope: z.string(),
            unit: z.string(),
            effective_limit: z.number(),
            used: z.number(),
            remaining: z.number(),
            reset_ms: z.number(),
          }),
        ),
        tightened: z.object({ factor: z.number(), until: z.string() }).nullable(),
        backoff: z.object({ until: z.string(), refusals: z.number() }).nullable(),
      }),
    )
    .meta({
      description:
        "A key pool (apiKeys): each key with the counters of its quota group (keys of one group show the same ones) and the group's backoff; empty for a provider with one key. `limits` above add up every group",
    }),
  queue: z.object({ waiting: z.number(), active: z.number(), delayed: z.number(), paused_ms: z.number() }),
  /** Measured; null until the provider has answered (planning assumes 2 s meanwhile). */
  latency_ms: z.number().nullable(),
  backoff: z.object({ until: z.string(), refusals: z.number() }).nullable().meta({
    description:
      'While the provider keeps refusing (429) calls our quota admitted: planned after every other target until `until` (1 s, 2 s, 4 s ... per round of `refusals`, at most 5 min); null once it answers',
  }),
  exhausted: z
    .array(
      z.object({
        scope: z.enum(['day', 'month', 'credits']),
        model: z.string().nullable(),
        reset_at: z.string().nullable(),
      }),
    )
    .meta({
      description:
        'Caps the provider said are spent (quota_exhausted): the provider (model null) or that model is out of route plans until reset_at; credits until the configuration changes or DELETE /v1/providers/{id}/exhausted',
    }),
});

export const providerRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const { broker, config } = services;
  app.get(
    '/v1/providers',
    {
      schema: {
        summary: 'Providers with their quota state and queue depth',
        response: { 200: z.object({ object: z.literal('list'), data: z.array(ProviderView) }) },
      },
    },
    async () => {
      const data = await Promise.all(
        config.providers.map(async (provider) => {
          const limits = [
            ...provider.limits.map((limit) => ({ scope: 'provider', ...limit })),
            ...provider.models.flatMap((model) =>
              model.limits.map((limit) => ({ scope: model.name, ...limit })),
            ),
          ];
          const queue = broker.queue(broker.keys.providerQueue(provider.id));
          const groups = keyGroupsOf(provider);
          const [usage, counts, pausedMs, latency, tightening, keys] = await Promise.all([
            providerUsage(broker.quota, { provider: provider.id, groups, limits }),
            // Jobs with a priority (all of ours) wait in `prioritized`, not in `wait`.
            queue.getJobCounts('wait', 'prioritized', 'active', 'delayed'),
            queue.getRateLimitTtl(),
            broker.measuredLatencyMs(provider.id),
            broker.quota.tightening(provider.id),
            Promise.all((groups ?? []).map((group) => keyGroupView(broker, group, limits))),
          ]);
          const factor = tightening?.factor ?? 1;
          const health = services.health.state(provider.id);
          const backoff = broker.backoff.state(provider.id);
          return {
            id: provider.id,
            kind: provider.kind,
            tier: provider.tier,
            data_policy: provider.dataPolicy,
            health: health.status,
            health_reason: health.reason,
            concurrency: provider.concurrency,
            models: provider.models.map((model) => ({
              name: model.name,
              context_window: model.contextWindow,
            })),
            limits: limits.map((limit, index) => ({
              scope: limit.scope,
              unit: limit.unit,
              max: limit.max,
              limit: limit.max,
              effective_limit: Math.max(1, Math.floor(limit.max * factor)),
              per: limit.window,
              time_zone: limit.timeZone ?? null,
              resets_at: limit.resetsAt === undefined ? null : new Date(limit.resetsAt).toISOString(),
              used: usage[index]?.used ?? 0,
              remaining: usage[index]?.remaining ?? limit.max,
              reset_ms: usage[index]?.resetMs ?? 0,
            })),
            tightened: tightening
              ? {
                  factor: tightening.factor,
                  reason: tightening.reason,
                  until: new Date(tightening.until).toISOString(),
                }
              : null,
            keys: keys.flat(),
            queue: {
              waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
              active: counts.active ?? 0,
              delayed: counts.delayed ?? 0,
              paused_ms: Math.max(0, pausedMs),
            },
            latency_ms: latency ?? null,
            exhausted: broker.spentCaps.state(provider.id).map((cap) => ({
              scope: cap.scope,
              model: cap.model ?? null,
              reset_at: cap.resetAt === undefined ? null : new Date(cap.resetAt).toISOString(),
            })),
            backoff: backoff
              ? { until: new Date(backoff.until).toISOString(), refusals: backoff.refusals }
              : null,
          };
        }),
      );
      return { object: 'list' as const, data };
    },
  );
};

/** Every key of one group of a pool, with the group's counters, tightening and backoff. */
async function keyGroupView(
  broker: Broker,
  group: KeyGroup,
  limits: Parameters<Broker['quota']['usage']>[0]['limits'],
) {
  const [usage, tightening] = await Promise.all([
    limits.length > 0 ? broker.quota.usage({ provider: group.quotaId, limits }) : Promise.resolve([]),
    broker.quota.tightening(group.quotaId),
  ]);
  const factor = tightening?.factor ?? 1;
  const backoff = broker.backoff.state(group.quotaId);
  return group.keys.map((key) => ({
    fingerprint: key.fingerprint,
    quota_group: group.name,
    limits: limits.map((limit, index) => ({
      scope: limit.scope,
      unit: limit.unit,
      effective_limit: Math.max(1, Math.floor(limit.max * factor)),
      used: usage[index]?.used ?? 0,
      remaining: usage[index]?.remaining ?? limit.max,
      reset_ms: usage[index]?.resetMs ?? 0,
    })),
    tightened: tightening ? { factor, until: new Date(tightening.until).toISOString() } : null,
    backoff: backoff ? { until: new Date(backoff.until).toISOString(), refusals: backoff.refusals } : null,
  }));
}

/**
 * `DELETE /v1/providers/:id/exhausted`: an operator says the provider has quota again (credits
 * bought, a cap raised). Behind an admin key, in a context of its own like `/metrics`.
 */
export const providerAdminRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const { broker, config } = services;
  app.addHook('onRequest', createAdminAuthenticator(config));
  app.delete(
    '/v1/providers/:id/exhausted',
    {
      schema: {
        summary: 'Put a provider whose caps or credits were spent back into route plans (admin key)',
        params: z.object({ id: z.string().min(1).max(256) }),
        response: {
          200: z.object({ id: z.string(), cleared: z.number() }),
          401: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!config.providers.some((provider) => provider.id === id))
        throw new ApiError(404, 'not_found', `No provider "${id}" is configured`);
      return { id, cleared: await broker.spentCaps.clear(id) };
    },
  );
};
