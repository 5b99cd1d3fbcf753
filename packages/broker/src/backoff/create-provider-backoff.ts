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
  /**
   * Feed with every attempt: a 429 backs its provider off, a success clears it. Never throws.
   * Attempts on a provider with a key pool are left to `onKeyOutcome`.
   */
  onAttempt(event: AttemptEvent): void;
  /** A call with a key of a pool (`quotaId` of its group) was refused (429) or answered. Never throws. */
  onKeyOutcome(quotaId: string, outcome: 'rate_limited' | 'succeeded'): void;
  /**
   * Synchronous, from the in-process cache: the provider (a provider with a key pool: every
   * group of its keys), or one group of keys by its `quotaId`, is backed off now.
   */
  isBackedOff(id: string): boolean;
  /**
   * The streak of refusals of a provider or of a group of keys, while it has one. A pool's:
   * while every group has one, the shortest (the pool is usable again when its first group is).
   */
  state(id: string): BackoffState | undefined;
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
  /** The `quotaId` of every group of keys, by provider, for the providers with a key pool. */
  pools?: ReadonlyMap<string, readonly string[]>;
  options?: Partial<BackoffOptions>;
  onError?: (error: unknown) => void;
}): ProviderBackoff {
  const { redis, keys, providers } = input;
  const pools = input.pools ?? new Map<string, readonly string[]>();
  // What has a backoff of its own: each provider without a pool, each group of a pool's keys.
  const subjects = providers.flatMap((id) => pools.get(id) ?? [id]);
  const groups = new Set([...pools.values()].flat());
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
      subjects.map((id) => redis.hmget(keys.providerBackoff(id), 'refusals', 'until', 'since')),
    );
    subjects.forEach((id, index) => {
      const [refusals, until, since] = states[index]!;
      if (refusals === null || until === null) cache.delete(id);
      else cache.set(id, { refusals: Number(refusals), until: Number(until), since: Number(since ?? until) });
    });
  }

  function onOutcome(id: string, outcome: string): void {
    if (outcome === 'rate_limited') refused(id).catch(onError);
    // Only what has a streak (as this process last read it) costs a write on success.
    else if (outcome === 'succeeded' && cache.has(id)) succeeded(id).catch(onError);
  }

  function state(id: string): BackoffState | undefined {
    const pool = pools.get(id);
    if (!pool) return cache.get(id);
    const states = pool.map((quotaId) => cache.get(quotaId));
    if (states.some((entry) => entry === undefined)) return undefined;
    const streaks = states as BackoffState[];
    return {
      refusals: Math.min(...streaks.map((entry) => entry.refusals)),
      until: Math.min(...streaks.map((entry) => entry.until)),
      since: Math.max(...streaks.map((entry) => entry.since)),
    };
  }

  return {
    onAttempt({ attempt }) {
      if (!providers.includes(attempt.provider) || pools.has(attempt.provider)) return;
      onOutcome(attempt.provider, attempt.outcome);
    },
    onKeyOutcome(quotaId, outcome) {
      if (groups.has(quotaId)) onOutcome(quotaId, outcome);
    },
    isBackedOff(id) {
      return (state(id)?.until ?? 0) > Date.now();
    },
    state,
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
