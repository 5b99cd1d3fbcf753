import { z } from 'zod';
import { parseSize } from './size.ts';

/** A size (`500MB`, `1GB`) in bytes; a bare number is taken as bytes. */
const sizeBytes = z.union([z.number().int().positive(), z.string()]).transform((value, context) => {
  if (typeof value === 'number') return value;
  const bytes = parseSize(value);
  if (bytes === undefined) {
    context.addIssue({ code: 'custom', message: 'expected a size such as 500MB or 1GB' });
    return z.NEVER;
  }
  return bytes;
});

const count = z.number().int().positive();

/** What one tenant may hold or do at once; every API process enforces them through Redis. */
const TenantLimitsSchema = z.strictObject({
  /** Bytes of files, batch inputs and outputs and job payloads the tenant holds. */
  storage: sizeBytes.optional(),
  /** Jobs not yet terminal (queued or running), batch lines included. */
  queuedJobs: count.optional(),
  /** Authenticated requests per second. */
  requestsPerSecond: count.optional(),
  /** Streaming responses open at once. */
  streams: count.optional(),
});

export const DEFAULT_TENANT_LIMITS = {
  storage: 1024 ** 3,
  queuedJobs: 100_000,
  requestsPerSecond: 200,
  streams: 100,
} as const;

export type TenantLimits = { [K in keyof typeof DEFAULT_TENANT_LIMITS]: number };

const webhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'expected whsec_ followed by a base64 secret');

/** A tenant's share of a provider's workers when tenants compete (fair sharing): 1 is even. */
const weight = z.number().positive().finite();

export const TenantDefaultsSchema = z
  .strictObject({ limits: TenantLimitsSchema.default({}), weight: weight.default(1) })
  .transform(({ limits, weight }) => ({
    limits: { ...DEFAULT_TENANT_LIMITS, ...limits } as TenantLimits,
    weight,
  }))
  .default({ limits: { ...DEFAULT_TENANT_LIMITS }, weight: 1 });

/**
 * One tenant's settings. `webhookSecret` is one secret or, during a rotation, a list
 * (`[new, old]`): every secret listed signs each delivery, so receivers holding either verify.
 */
export const TenantSchema = z
  .strictObject({
    webhookSecret: z.union([webhookSecret, z.array(webhookSecret).min(1).max(4)]).optional(),
    limits: TenantLimitsSchema.default({}),
    /** Share of the workers this tenant gets when tenants compete; `tenantDefaults.weight` when unset. */
    weight: weight.optional(),
  })
  .transform(({ webhookSecret: secret, ...tenant }) => ({
    ...tenant,
    webhookSecrets: secret === undefined ? undefined : [secret].flat(),
  }));

/** Tenant names as API keys name them (`auth.apiKeys[].tenant`). */
export const TenantsSchema = z.record(z.string().min(1).max(200), TenantSchema).default({});

type TenantSections = {
  tenantDefaults: z.output<typeof TenantDefaultsSchema>;
  tenants: z.output<typeof TenantsSchema>;
};

/** A tenant's limits: its own settings over `tenantDefaults.limits`. */
export function tenantLimitsOf(config: TenantSections, tenant: string): TenantLimits {
  const own = Object.hasOwn(config.tenants, tenant) ? config.tenants[tenant]!.limits : {};
  return { ...config.tenantDefaults.limits, ...own };
}

/** A tenant's share in fair sharing: its own `weight`, else `tenantDefaults.weight` (default 1). */
export function tenantWeightOf(config: TenantSections, tenant: string): number {
  const own = Object.hasOwn(config.tenants, tenant) ? config.tenants[tenant]!.weight : undefined;
  return own ?? config.tenantDefaults.weight;
}

/** The secrets that sign a tenant's webhooks, newest first; undefined: use `webhooks.secret`. */
export function tenantWebhookSecretsOf(config: TenantSections, tenant: string): string[] | undefined {
  return Object.hasOwn(config.tenants, tenant) ? config.tenants[tenant]!.webhookSecrets : undefined;
}
