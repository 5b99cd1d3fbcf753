import { CAPABILITIES, WIRE_CAPABILITIES } from '@switchyard/spec';
import { z } from 'zod';
import { keyFingerprint, type ProviderKey } from './key-pool.ts';
import { durationMs, LimitSchema, positiveInt } from './limit-schema.ts';

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
export const providerId = z
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
