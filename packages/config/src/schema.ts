import { z } from 'zod';
import { durationMs } from './limit-schema.ts';
import { DATA_POLICIES, ProviderSchema, TIERS } from './provider-schema.ts';
import { TenantDefaultsSchema, TenantsSchema } from './tenant-schema.ts';

export { DATA_POLICIES, ProviderSchema, TIERS };

/** `provider/model`; the model part may itself contain slashes (OpenRouter names). */
const targetString = z.string().regex(/^[^/]+\/.+$/, 'expected provider/model');

const TargetSchema = z
  .union([targetString, z.strictObject({ target: targetString, weight: z.number().positive().default(1) })])
  .transform((target) => {
    const text = typeof target === 'string' ? target : target.target;
    const slash = text.indexOf('/');
    return {
      provider: text.slice(0, slash),
      model: text.slice(slash + 1),
      weight: typeof target === 'string' ? 1 : target.weight,
    };
  });

const ROUTE_STRATEGIES = ['priority', 'cheapest', 'least-wait', 'weighted'] as const;

const RouteSchema = z.strictObject({
  strategy: z.enum(ROUTE_STRATEGIES).default('priority'),
  targets: z.array(TargetSchema).min(1),
  /**
   * `priority` and `cheapest` keep their order only between cost tiers (provider tier and price):
   * targets of one tier share the jobs, each going where it can start soonest. `strict: true`
   * keeps the exact order: a job waits on a target while it can still meet its deadline there.
   */
  strict: z.boolean().default(false),
});

const keyHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lowercase hex digits>');

const ApiKeySchema = z
  .strictObject({
    key: z.string().min(16).optional(),
    keyHash: keyHash.optional(),
    tenant: z.string().min(1),
  })
  .superRefine((entry, context) => {
    if ((entry.key === undefined) === (entry.keyHash === undefined)) {
      context.addIssue({ code: 'custom', message: 'an API key sets exactly one of key or keyHash' });
    }
  });

const BUDGET_PERIODS = ['day', 'month'] as const;

/**
 * `{ scope: overall | { tenant }, usd, per: day | month }`: once the spend of the scope in the
 * current UTC day or month reaches `usd`, paid targets are left out of new plans.
 */
const BudgetSchema = z.strictObject({
  scope: z.union([z.literal('overall'), z.strictObject({ tenant: z.string().min(1) })], {
    error: "expected 'overall' or { tenant: <name> }",
  }),
  usd: z.number({ error: 'expected an amount in USD' }).nonnegative().finite(),
  per: z.enum(BUDGET_PERIODS, { error: 'expected day or month' }),
});

export const ConfigSchema = z
  .strictObject({
    /** `auto`: add the presets whose key variable is set (GEMINI_API_KEY, ...); `off`: only the file. */
    presets: z.enum(['auto', 'off']).default('auto'),
    providers: z.array(ProviderSchema).default([]),
    routes: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'route names are lowercase'), RouteSchema)
      .default({}),
    server: z
      .strictObject({
        port: z.number().int().min(0).max(65_535).default(8080),
        host: z.string().default('0.0.0.0'),
        /** Where a worker-role process serves /metrics and /healthz (METRICS_PORT overrides). */
        metricsPort: z.number().int().min(0).max(65_535).default(9464),
      })
      .default({ port: 8080, host: '0.0.0.0', metricsPort: 9464 }),
    redis: z
      .strictObject({
        url: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_{}-]+$/)
          .default('switchyard'),
        /** `url` is one seed node of a Redis Cluster (REDIS_CLUSTER=true in the environment overrides). */
        cluster: z.boolean().default(false),
      })
      .default({ url: 'redis://127.0.0.1:6379', prefix: 'switchyard', cluster: false }),
    auth: z
      .strictObject({
        apiKeys: z.array(ApiKeySchema).default([]),
        adminKeys: z.array(z.string().min(16)).default([]),
      })
      .default({ apiKeys: [], adminKeys: [] }),
    webhooks: z
      .strictObject({
        secret: z
          .string()
          .regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'expected whsec_ followed by a base64 secret')
          .optional(),
        allowPrivateNetworks: z.boolean().default(false),
      })
      .default({ allowPrivateNetworks: false }),
    scheduling: z
      .strictObject({
        /** Deadlines of jobs that set none, per priority class. */
        deadlines: z
          .strictObject({ interactive: durationMs.default(300_000), batch: durationMs.default(86_400_000) })
          .default({ interactive: 300_000, batch: 86_400_000 }),
        /** Extra calls on one target after a server error, timeout or bad response, before moving on. */
        retriesPerTarget: z.number().int().min(0).max(10).default(2),
        /**
         * Output limit sent with a job that sets no max_tokens, on a model that declares no
         * maxOutputTokens: the quota reserves exactly what the call may use.
         */
        defaultMaxTokens: z.number().int().min(1).max(1_000_000).default(1024),
        /**
         * 429 refusals (`rate_limited`) a job takes on one target before moving on when another
         * target remains. Two: one refusal is often a burst from elsewhere that a short wait
         * cures; a third in a row says the provider is refusing, and the next target is better.
         */
        refusalsBeforeMove: z.number().int().min(0).max(100).default(2),
        /**
         * How long a synchronous call that gave no deadline waits on one target (busy, or
         * refusing) before moving on to the next: a client on the line wants an answer soon.
         */
        syncWait: durationMs.default(2_000),
        /**
         * How long before its last feasible start on a target (deadline minus the provider's
         * expected latency) a waiting job leaves it: the time a move to the next target and a
         * worker's pick-up there may take.
         */
        deadlineMargin: durationMs.default(1_000),
        /**
         * The backoff of a provider that keeps refusing (429) calls our quota admitted: planned
         * after the others for `initial`, doubling with each round of refusals up to `max`.
         */
        refusalBackoff: z
          .strictObject({ initial: durationMs.default(1_000), max: durationMs.default(300_000) })
          .default({ initial: 1_000, max: 300_000 }),
      })
      .transform(({ syncWait, deadlineMargin, ...rest }) => ({
        ...rest,
        syncWaitMs: syncWait,
        deadlineMarginMs: deadlineMargin,
      }))
      .default({
        deadlines: { interactive: 300_000, batch: 86_400_000 },
        retriesPerTarget: 2,
        defaultMaxTokens: 1024,
        refusalsBeforeMove: 2,
        syncWaitMs: 2_000,
        deadlineMarginMs: 1_000,
        refusalBackoff: { initial: 1_000, max: 300_000 },
      }),
    privacy: z
      .strictObject({
        /** Look for emails, phone numbers, card numbers (Luhn) and IBANs in prompts. */
        detectPersonalData: z.boolean().default(false),
        /** The sensitivity a job with personal data is raised to (never lowered). */
        raiseTo: z.enum(['internal', 'confidential']).default('confidential'),
      })
      .default({ detectPersonalData: false, raiseTo: 'confidential' }),
    results: z
      .strictObject({ retention: durationMs.default(7 * 86_400_000) })
      .transform(({ retention }) => ({ retentionMs: retention }))
      .default({ retentionMs: 7 * 86_400_000 }),
    budgets: z.array(BudgetSchema).default([]),
    queues: z
      .strictObject({
        /**
         * Finished entries each provider queue keeps for Bull Board (the job records themselves
         * are kept for `results.retention` either way): the newest `count`, none older than `age`.
         */
        keepCompleted: z
          .strictObject({
            count: z.number().int().min(0).max(1_000_000).default(1_000),
            age: durationMs.default(3_600_000),
          })
          .default({ count: 1_000, age: 3_600_000 }),
      })
      .default({ keepCompleted: { count: 1_000, age: 3_600_000 } }),
    /** Limits every tenant gets unless its own section says otherwise. */
    tenantDefaults: TenantDefaultsSchema,
    /** Per-tenant limits, webhook secrets and fair-sharing weight, by tenant name. */
    tenants: TenantsSchema,
  })
  .superRefine((config, context) => {
    const budgets = new Map<string, number>();
    config.budgets.forEach((budget, index) => {
      const scope = budget.scope === 'overall' ? 'overall' : `tenant ${budget.scope.tenant}`;
      const key = `${scope} per ${budget.per}`;
      const first = budgets.get(key);
      if (first !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['budgets', index],
          message: `duplicate budget for ${key} (also budgets[${first}])`,
        });
      } else {
        budgets.set(key, index);
      }
    });
    const seen = new Map<string, number>();
    config.providers.forEach((provider, index) => {
      const first = seen.get(provider.id);
      if (first !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['providers', index, 'id'],
          message: `duplicate provider id "${provider.id}" (also providers[${first}])`,
        });
      } else {
        seen.set(provider.id, index);
      }
      const models = new Set<string>();
      provider.models.forEach((model, modelIndex) => {
        if (models.has(model.name)) {
          context.addIssue({
            code: 'custom',
            path: ['providers', index, 'models', modelIndex, 'name'],
            message: `duplicate model "${model.name}" in provider "${provider.id}"`,
          });
        }
        models.add(model.name);
      });
    });
    for (const [name, route] of Object.entries(config.routes)) {
      route.targets.forEach((target, index) => {
        const provider = config.providers.find((candidate) => candidate.id === target.provider);
        if (!provider) {
          context.addIssue({
            code: 'custom',
            path: ['routes', name, 'targets', index],
            message: `no provider "${target.provider}" is configured`,
          });
        } else if (!provider.models.some((model) => model.name === target.model)) {
          context.addIssue({
            code: 'custom',
            path: ['routes', name, 'targets', index],
            message: `provider "${target.provider}" has no model "${target.model}"`,
          });
        }
      });
    }
  });

/** The configuration as the file is written (before defaults and normalisation). */
export type ConfigInput = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type ProviderConfig = Config['providers'][number];
export type ProviderInput = z.input<typeof ProviderSchema>;
export type ModelConfig = ProviderConfig['models'][number];
export type LimitConfig = ProviderConfig['limits'][number];
export type RouteConfig = Config['routes'][string];
export type RouteTarget = RouteConfig['targets'][number];
export type BudgetConfig = Config['budgets'][number];
export type TenantConfig = Config['tenants'][string];
export type Tier = (typeof TIERS)[number];
export type DataPolicy = (typeof DATA_POLICIES)[number];
