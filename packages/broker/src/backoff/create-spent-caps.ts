import { createHash } from 'node:crypto';
import type { ProviderConfig } from '@switchyard/config';
import { nextMidnight, type QuotaExhaustion } from '@switchyard/spec';
import type { RedisConnection } from '../create-redis.ts';
import type { Keys } from '../keys.ts';

/** A provider's (or one model's) daily or monthly cap, or its credits, spent. */
export interface SpentCap {
  scope: 'day' | 'month' | 'credits';
  /** Epoch ms when it comes back; absent for credits (until the configuration changes). */
  resetAt?: number;
  /** The model whose cap is spent; absent when the whole provider's is. */
  model?: string;
  /** The provider's configuration when its credits ran out: a new key or plan clears it. */
  configHash?: string;
}

export interface SpentCaps {
  /** Records what a `quota_exhausted` answer said ran out (a `minute` scope is not a cap). */
  record(providerId: string, exhausted: QuotaExhaustion): Promise<void>;
  /** Synchronous, from the in-process cache: why the target is out of route plans, if it is. */
  spent(providerId: string, model: string): SpentCap | undefined;
  /** Every spent cap of the provider (its own, then its models'). */
  state(providerId: string): SpentCap[];
  /** An operator's word that the provider has quota again: forgets all its spent caps. */
  clear(providerId: string): Promise<number>;
  /** Drops credits spent under another configuration, loads the cache and keeps it fresh. */
  start(): Promise<void>;
  refresh(): Promise<void>;
  stop(): void;
}

const REFRESH_MS = 1_000;

/** Start of the next calendar month in UTC (a monthly cap without a reset time). */
const nextMonth = (now: number) => {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
};

/** Changes with anything that could bring credits back: the key, the address, the plan. */
export function configHashOf(provider: ProviderConfig): string {
  return createHash('sha256').update(JSON.stringify(provider)).digest('hex').slice(0, 16);
}

/**
 * Caps a provider said are spent (`quota_exhausted` with `exhausted.scope` day, month or
 * credits), kept in Redis so every process leaves the provider (or the model) out of route
 * plans: a day or month cap until its reset (the key's TTL), credits until the configuration
 * changes or an operator clears them. Plans read a cache refreshed every second.
 */
export function createSpentCaps(input: {
  redis: RedisConnection;
  keys: Keys;
  providers: readonly ProviderConfig[];
  onError?: (error: unknown) => void;
}): SpentCaps {
  const { redis, keys, providers } = input;
  const onError = input.onError ?? (() => {});
  const hashes = new Map(providers.map((provider) => [provider.id, configHashOf(provider)]));
  const cache = new Map<string, SpentCap[]>();
  let timer: NodeJS.Timeout | undefined;

  const keysOf = (provider: ProviderConfig) => [
    keys.providerExhausted(provider.id),
    ...provider.models.map((model) => keys.providerExhausted(provider.id, model.name)),
  ];

  async function read(provider: ProviderConfig): Promise<SpentCap[]> {
    const values = await redis.mget(...keysOf(provider));
    return values.filter((value) => value !== null).map((value) => JSON.parse(value) as SpentCap);
  }

  async function refresh(): Promise<void> {
    const states = await Promise.all(providers.map(read));
    providers.forEach((provider, index) => {
      if (states[index]!.length === 0) cache.delete(provider.id);
      else cache.set(provider.id, states[index]!);
    });
  }

  return {
    async record(providerId, exhausted) {
      if (exhausted.scope === 'minute' || !hashes.has(providerId)) return;
      const now = Date.now();
      const key = keys.providerExhausted(providerId, exhausted.model);
      const cap: SpentCap = {
        scope: exhausted.scope,
        ...(exhausted.model ? { model: exhausted.model } : {}),
      };
      if (exhausted.scope === 'credits') {
        await redis.set(key, JSON.stringify({ ...cap, configHash: hashes.get(providerId) }));
      } else {
        // A cap without a reset time is out until the provider's day (UTC) or month turns.
        const resetAt =
          exhausted.resetAt ?? (exhausted.scope === 'day' ? nextMidnight('UTC', now) : nextMonth(now));
        if (resetAt <= now) return;
        await redis.set(key, JSON.stringify({ ...cap, resetAt }), 'PX', resetAt - now);
        cap.resetAt = resetAt;
      }
      const others = (cache.get(providerId) ?? []).filter((known) => known.model !== cap.model);
      cache.set(providerId, [...others, cap]);
    },

    spent(providerId, model) {
      const now = Date.now();
      return cache
        .get(providerId)
        ?.find(
          (cap) =>
            (cap.model === undefined || cap.model === model) &&
            (cap.resetAt === undefined || cap.resetAt > now),
        );
    },

    state: (providerId) => cache.get(providerId) ?? [],

    async clear(providerId) {
      const provider = providers.find((candidate) => candidate.id === providerId);
      if (!provider) return 0;
      cache.delete(providerId);
      return redis.del(...keysOf(provider));
    },

    async start() {
      for (const provider of providers) {
        const stale = (await read(provider)).filter(
          (cap) => cap.scope === 'credits' && cap.configHash !== hashes.get(provider.id),
        );
        for (const cap of stale) await redis.del(keys.providerExhausted(provider.id, cap.model));
      }
      if (!timer) {
        timer = setInterval(() => void refresh().catch(onError), REFRESH_MS);
        timer.unref();
      }
      await refresh();
    },

    refresh,

    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
