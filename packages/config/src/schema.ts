import { CAPABILITIES, isTimeZone, WIRE_CAPABILITIES } from '@switchyard/spec';
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { keyFingerprint, type ProviderKey } from './key-pool.ts';
import { TenantDefaultsSchema, TenantsSchema } from './tenant-schema.ts';

/** A duration string (`500ms`, `10s`, `1m`, `1h`, `1d`) parsed into milliseconds. */
const durationMs = z.string().transform((text, context) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    context.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 10s, 1m, 1h or 1d' });
    return z.NEVER;
  }
  return ms;
});

/** A limit window: any duration, or `day` / `month` (a calendar day or month, UTC unless a time zone is given). */
const limitWindow = z.string().transform((text, context): number | 'day' | 'month' => {
  const word = text.trim();
  if (word === 'month' || word === 'day') return word;
  const ms = parseDuration(text);
  if (ms === undefined) {
    context.addIssue({
      code: 'custom',
      message: 'expected a duration such as 1s, 1m, 1h, 1d, or the word day or month',
    });
    return z.NEVER;
  }
  return ms;
});

const positiveInt = z.number().int().positive();

/**
 * `{ requests: 15, per: 1m }` or `{ tokens: 1000000, per: 1m }`, normalised to
 * `{ unit, max, window }` where `window` is milliseconds (a sliding window), `day` or `month`.
 * A calendar window resets at midnight of `timeZone` (an IANA name; default UTC): `{ requests:
 * 1500, per: day, timeZone: America/Los_Angeles }`. A duration with `resetsAt` (an ISO 8601
 * instant) is a fixed window instead: it resets at that instant and every `per` before and
 * after it (`{ requests: 100, per: 1h, resetsAt: '2026-01-01T00:00:00Z' }`: on the hour).
 */
const LimitSchema = z
  .strictObject({
    requests: positiveInt.optional(),
    tokens: positiveInt.optional(),
    per: limitWindow,
    timeZone: z.string().optional(),
    resetsAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((limit, context) => {
    if ((limit.requests === undefined) === (limit.tokens === undefined)) {
      context.addIssue({ code: 'custom', message: 'a limit sets exactly one of requests or tokens' });
    }
    const calendar = limit.per === 'day' || limit.per === 'month';
    if (limit.timeZone !== undefined && !calendar) {
      context.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: 'a time zone goes with per: day or month',
      });
    } else if (limit.timeZone !== undefined && !isTimeZone(limit.timeZone)) {
      context.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: 'expected an IANA time zone such as UTC or America/Los_Angeles',
      });
    }
    if (limit.resetsAt !== undefined && calendar) {
      context.addIssue({
        code: 'custom',
        path: ['resetsAt'],
        message: 'resetsAt goes with a duration, not day or month',
      });
    }
  })
  .transform((limit) => ({
    unit: limit.requests === undefined ? ('tokens' as const) : ('requests' as const),
    max: (limit.requests ?? limit.tokens) as number,
    window: limit.per,
    ...(limit.per === 'day' || limit.timeZone !== undefined ? { timeZone: limit.timeZone ?? 'UTC' } : {}),
    ...(limit.resetsAt !== undefined ? { resetsAt: Date.parse(limit.resetsAt) } : {}),
  }));

const PriceSchema = z.strictObject({
  /** USD per million input tokens (uncached). */
  input: z.number().nonnegative(),
  /** USD per million output tokens; reasoning tokens are billed at this price too. */
  output: z.number().nonnegative(),
  /** USD per million input tokens read from the provider's prompt cache; absent: `input`. */
  cachedInput: z.number().nonnegative().optional(),
  /** USD per million input tokens written to the prompt cache (Anthropic); absent: `input`. */
  cacheWrite: z.number().nonnegative().optional(),
});

const ModelSchema = z.strictObject({
  name: z.string().min(1),
  contextWindow: positiveInt,
  maxOutputTokens: positiveInt.optional(),
  price: PriceSchema.default({ input: 0, output: 0 }),
  /** Limits of this model alone, on top of the provider's limits (Gemini and Groq count per model). */
  limits: z.array(LimitSchema).default([]),
  /** What the model can do beyond text; absent: what its provider's wire format carries. */
  capabilities: z.array(z.enum(CAPABILITIES)).optional(),
});

const PROVIDER_KINDS = ['openai', 'anthropic', 'gemini'] as const;
export const TIERS = ['free', 'self-hosted', 'paid'] as const;
/** From least to most protective: a job may go to a provider whose policy is at least its need. */
export const DATA_POLICIES = ['may-train', 'no-training', 'zero-retention', 'local'] as const;

const DEFAULT_BASE_URLS: Record<(typeof PROVIDER_KINDS)[number], string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
};

/** Provider ids name queues and Redis keys: keep them to a safe alphabet. */
const providerId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'use 1-63 lowercase letters, digits, dots, dashes or underscores');

/** A key of a pool: the key, or the key with the quota group it counts in (one account, one project). */
const PoolKeySchema = z.union([
  z.string().min(1),
  z.strictObject({ key: z.string().min(1), quotaGroup: providerId.optional() }),
]);

export const ProviderSchema = z
  .strictObject({
    id: providerId,
    kind: z.enum(PROVIDER_KINDS),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    apiKey: z.string().min(1).optional(),
    /**
     * Several keys, each with its own quota counters and backoff (`quotaGroup` makes keys share
     * them); the worker calls with a key that has room. Instead of `apiKey`.
     */
    apiKeys: z.array(PoolKeySchema).min(1).optional(),
    tier: z.enum(TIERS).default('paid'),
    dataPolicy: z.enum(DATA_POLICIES).default('may-train'),
    models: z.array(ModelSchema).min(1),
    limits: z.array(LimitSchema).default([]),
    /**
     * What the provider counts against its token limits for an answered call: the tokens it
     * used (`usage`), or the prompt plus max_tokens whatever the output (`max-tokens`), in
     * which case our quota keeps the whole reservation instead of settling to the usage.
     */
    tokenAccounting: z.enum(['usage', 'max-tokens']).default('usage'),
    concurrency: positiveInt.max(10_000).default(4),
    timeout: durationMs.default(60_000),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((provider, context) => {
    if (provider.apiKey !== undefined && provider.apiKeys !== undefined) {
      context.addIssue({ code: 'custom', path: ['apiKeys'], message: 'set apiKey or apiKeys, not both' });
    }
    const seen = new Set<string>();
    (provider.apiKeys ?? []).forEach((entry, index) => {
      const key = typeof entry === 'string' ? entry : entry.key;
      // The message never quotes the key.
      if (seen.has(key))
        context.addIssue({ code: 'custom', path: ['apiKeys', index], message: 'a key listed twice' });
      seen.add(key);
    });
  })
  .transform(({ timeout, apiKeys, ...provider }) => ({
    ...provider,
    /** Every key (one for `apiKey`), in order; `apiKey` is the first. */
    keys: (apiKeys ?? (provider.apiKey === undefined ? [] : [provider.apiKey])).map((entry): ProviderKey => {
      const apiKey = typeof entry === 'string' ? entry : entry.key;
      const fingerprint = keyFingerprint(apiKey);
      return {
        apiKey,
        fingerprint,
        quotaGroup: (typeof entry === 'string' ? undefined : entry.quotaGroup) ?? fingerprint,
      };
    }),
    apiKey: provider.apiKey ?? (apiKeys === undefined ? undefined : poolKeyOf(apiKeys[0]!)),
    models: provider.models.map((model) => ({
      ...model,
      capabilities: model.capabilities ?? [...WIRE_CAPABILITIES[provider.kind]],
    })),
    baseUrl: (provider.baseUrl ?? DEFAULT_BASE_URLS[provider.kind]).replace(/\/+$/, ''),
    timeoutMs: timeout,
  }));

function poolKeyOf(entry: string | { key: string }): string {
  return typeof entry === 'string' ? entry : entry.key;
}

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
