import type { RedisConnection } from '../create-redis.ts';
import type { AttemptEvent } from '../dispatcher.ts';
import type { Keys } from '../keys.ts';
import { defineScripts } from '../scripts/define-scripts.ts';

/** A provider refusing the calls our quota admitted: how many rounds, and until when it is avoided. */
export interface BackoffState {
  /** Rounds of refusals in a row (each round doubles the backoff). */
  refusals: number;
  /** Epoch ms: route plans put the provider last until then. */
  until: number;
  /** Epoch ms of the streak's first refusal: every call since was refused. */
  since: number;
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** How often each process re-reads every provider's backoff from Redis. */
  refreshMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 300_000, refreshMs: 1_000 };

export interface ProviderBackoff {
  /** Feed with every attempt: a 429 backs its provider off, a success clears it. Never throws. */
  onAttempt(event: AttemptEvent): void;
  /** Synchronous, from the in-process cache: the provider is backed off now. */
  isBackedOff(providerId: string): boolean;
  /** The provider's streak of refusals, while it has one. */
  state(providerId: string): BackoffState | undefined;
  /** Loads the cache and keeps it fresh. */
  start(): Promise<void>;
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Exponential backoff of providers that keep refusing (429) calls our quota admitted, kept in
 * Redis (one hash per provider, `keys.providerBackoff`) so every process avoids them; reads for
 * route plans come from a cache refreshed every `refreshMs` and at once after a local refusal.
 */
export function createProviderBackoff(input: {
  redis: RedisConnection;
  keys: Keys;
  providers: readonly string[];
  options?: Partial<BackoffOptions>;
  onError?: (error: unknown) => void;
}): ProviderBackoff {
  const { redis, keys, providers } = input;
  const options = { ...DEFAULT_BACKOFF, ...input.options };
  const onError = input.onError ?? (() => {});
  const scripts = defineScripts(redis, { refused: new URL('./refused-1.lua', import.meta.url) });
  const cache = new Map<string, BackoffState>();
  let timer: NodeJS.Timeout | undefined;

  async function refused(providerId: string): Promise<void> {
    const [refusals, until, since] = await scripts.refused<[number, number, number]>(
      [keys.providerBackoff(providerId)],
      [options.baseMs, options.capMs],
    );
    cache.set(providerId, { refusals, until, since });
  }

  async function succeeded(providerId: string): Promise<void> {
    cache.delete(providerId);
    await redis.del(keys.providerBackoff(providerId));
  }

  async function refresh(): Promise<void> {
    const states = await Promise.all(
      providers.map((id) => redis.hmget(keys.providerBackoff(id), 'refusals', 'until', 'since')),
    );
    providers.forEach((id, index) => {
      const [refusals, until, since] = states[index]!;
      if (refusals === null || until === null) cache.delete(id);
      else cache.set(id, { refusals: Number(refusals), until: Number(until), since: Number(since ?? until) });
    });
  }

  return {
    onAttempt({ attempt }) {
      if (!providers.includes(attempt.provider)) return;
      if (attempt.outcome === 'rate_limited') refused(attempt.provider).catch(onError);
      // Only a provider with a streak (as this process last read it) costs a write on success.
      else if (attempt.outcome === 'succeeded' && cache.has(attempt.provider))
        succeeded(attempt.provider).catch(onError);
    },
    isBackedOff(providerId) {
      return (cache.get(providerId)?.until ?? 0) > Date.now();
    },
    state: (providerId) => cache.get(providerId),
    async start() {
      if (!timer) {
        timer = setInterval(() => void refresh().catch(onError), options.refreshMs);
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
