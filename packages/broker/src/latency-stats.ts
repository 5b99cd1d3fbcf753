import type { RedisConnection } from './create-redis.ts';
import type { Keys } from './keys.ts';

/** Latency assumed for a provider before any call to it has been measured. */
const DEFAULT_LATENCY_MS = 2_000;
/** How long a process trusts its copy of a provider's latency before reading Redis again. */
const CACHE_MS = 1_000;

/** Each provider's recent latency: an exponentially weighted average shared in Redis. */
export interface LatencyStats {
  /** The measured latency, else 2 s: planning assumes a provider is that slow until measured. */
  expectedMs(providerId: string): Promise<number>;
  /** The measured latency; undefined while the provider has answered nothing. */
  measuredMs(providerId: string): Promise<number | undefined>;
  record(providerId: string, latencyMs: number): Promise<void>;
}

export function createLatencyStats(redis: RedisConnection, keys: Keys): LatencyStats {
  const cache = new Map<string, { value: number; readAt: number }>();
  return {
    async expectedMs(providerId) {
      const cached = cache.get(providerId);
      if (cached && Date.now() - cached.readAt < CACHE_MS) return cached.value;
      const stored = await redis.hget(keys.stats(providerId), 'latency');
      const value = stored === null ? DEFAULT_LATENCY_MS : Number(stored);
      cache.set(providerId, { value, readAt: Date.now() });
      return value;
    },
    async measuredMs(providerId) {
      const stored = await redis.hget(keys.stats(providerId), 'latency');
      return stored === null ? undefined : Number(stored);
    },
    async record(providerId, latencyMs) {
      const previous = cache.get(providerId)?.value;
      const value = previous === undefined ? latencyMs : Math.round(previous * 0.8 + latencyMs * 0.2);
      cache.set(providerId, { value, readAt: Date.now() });
      await redis.hset(keys.stats(providerId), 'latency', String(value));
    },
  };
}
