import type { RedisConnection } from '../create-redis.ts';
import type { Keys } from '../keys.ts';
import { defineScripts } from '../scripts/define-scripts.ts';
import { checkInteger, limitArguments, nowArgument, type QuotaLimit } from './limit-arguments.ts';

export type { QuotaLimit } from './limit-arguments.ts';

export interface AcquireInput {
  provider: string;
  /** Every limit of the provider and of the model called. */
  limits: QuotaLimit[];
  /** Unique per provider call (e.g. `<job id>:<attempt>`). */
  reservationId: string;
  /** Tokens the call may use (prompt plus max output): reserved on every token limit. */
  tokens: number;
  /** How long the reservation stays pending at most: the provider timeout plus a margin. */
  holdMs: number;
  /** Milliseconds since the epoch; Redis server time when omitted. */
  now?: number;
}

export type AcquireResult =
  | { granted: true }
  /** `retryAfterMs` is -1 when the call can never fit (`limitIndex` says which limit). */
  | { granted: false; retryAfterMs: number; limitIndex: number };

export interface SettleInput {
  provider: string;
  limits: QuotaLimit[];
  reservationId: string;
  /** The `tokens` passed to `acquire`. */
  reservedTokens: number;
  /** The tokens the provider counted (input plus output). */
  usedTokens: number;
  now?: number;
}

export interface ReleaseInput {
  provider: string;
  limits: QuotaLimit[];
  reservationId: string;
  reservedTokens: number;
  now?: number;
}

export interface TightenInput {
  provider: string;
  /** Multiplier on the current scale, in (0, 1]; the scale never goes below 0.5. */
  factor: number;
  ttlMs: number;
  /** Why, as `GET /v1/providers` shows it; default: an unexpected 429. */
  reason?: string;
}

/** A provider's limits while tightened (see `tighten`). */
export interface Tightening {
  /** The scale every limit's max is multiplied by, in [0.5, 1). */
  factor: number;
  reason: string;
  /** When the scale returns to 1 (ms since the epoch). */
  until: number;
}

/** The reason recorded when `tighten` is given none. */
export const UNEXPECTED_429 = 'the provider answered 429 although our accounting admitted the call';

export interface LimitUsage {
  /** Requests or tokens counted in the current window, pending reservations included. */
  used: number;
  /** What is left under the max (with the provider's scale applied). */
  remaining: number;
  /** Milliseconds until the oldest counted entry leaves (a fixed window: until it ends); 0 when empty. */
  resetMs: number;
}

export interface Quota {
  /** Reserves 1 request and `tokens` tokens on every limit, all or nothing. */
  acquire(input: AcquireInput): Promise<AcquireResult>;
  /** The provider answered: stamps the reservation now and counts the tokens used. Idempotent. */
  settle(input: SettleInput): Promise<void>;
  /** The call never reached the provider: removes the reservation. Idempotent. */
  release(input: ReleaseInput): Promise<void>;
  /** Multiplies the provider's scale by `factor` for `ttlMs`; returns the new scale. */
  tighten(input: TightenInput): Promise<number>;
  /** The provider's tightening in force, if any: its scale, reason and end. */
  tightening(provider: string): Promise<Tightening | undefined>;
  /** Per limit, in order: used, remaining and reset time. */
  usage(input: { provider: string; limits: QuotaLimit[]; now?: number }): Promise<LimitUsage[]>;
}

/**
 * Exact sliding-window (and fixed-window: calendar day, calendar month, fixed period) quotas, shared by every process through Redis.
 * Each call runs one Lua script over the keys of one provider (one hash slot); see
 * docs/quotas.md for the algorithm.
 */
export function createQuota(redis: RedisConnection, keys: Keys): Quota {
  // Variadic (`-n`): each call's keys are the scale, then those of its limits.
  const scripts = defineScripts(redis, {
    acquire: new URL('./acquire-n.lua', import.meta.url),
    settle: new URL('./settle-n.lua', import.meta.url),
    release: new URL('./release-n.lua', import.meta.url),
    usage: new URL('./usage-n.lua', import.meta.url),
    tighten: new URL('./tighten-2.lua', import.meta.url),
  });

  return {
    async acquire({ provider, limits, reservationId, tokens, holdMs, now }) {
      checkInteger('tokens', tokens, 0);
      checkInteger('holdMs', holdMs, 1);
      const call = limitArguments(keys, provider, limits, now);
      const reply = await scripts.acquire<[number, number?, number?]>(
        [keys.quotaScale(provider), ...call.keys],
        [reservationId, tokens, holdMs, nowArgument(now), ...call.args],
      );
      if (reply[0] === 1) return { granted: true };
      return { granted: false, retryAfterMs: reply[1]!, limitIndex: call.origins[reply[2]!]! };
    },

    async settle({ provider, limits, reservationId, reservedTokens, usedTokens, now }) {
      checkInteger('reservedTokens', reservedTokens, 0);
      checkInteger('usedTokens', usedTokens, 0);
      const call = limitArguments(keys, provider, limits, now);
      if (call.keys.length === 0) return;
      await scripts.settle(call.keys, [
        reservationId,
        reservedTokens,
        usedTokens,
        nowArgument(now),
        ...call.args,
      ]);
    },

    async release({ provider, limits, reservationId, reservedTokens, now }) {
      checkInteger('reservedTokens', reservedTokens, 0);
      const call = limitArguments(keys, provider, limits, now);
      if (call.keys.length === 0) return;
      await scripts.release(call.keys, [reservationId, reservedTokens, nowArgument(now), ...call.args]);
    },

    async tighten({ provider, factor, ttlMs, reason = UNEXPECTED_429 }) {
      if (!(factor > 0 && factor <= 1)) throw new RangeError(`factor: expected (0, 1], got ${factor}`);
      checkInteger('ttlMs', ttlMs, 1);
      const scaleKey = keys.quotaScale(provider);
      return Number(await scripts.tighten<string>([scaleKey, `${scaleKey}:reason`], [factor, ttlMs, reason]));
    },

    async tightening(provider) {
      const scaleKey = keys.quotaScale(provider);
      const [scale, ttlMs, reason] = await Promise.all([
        redis.get(scaleKey),
        redis.pttl(scaleKey),
        redis.get(`${scaleKey}:reason`),
      ]);
      const factor = Number(scale);
      if (scale === null || !(factor < 1) || ttlMs <= 0) return undefined;
      return { factor, reason: reason ?? UNEXPECTED_429, until: Date.now() + ttlMs };
    },

    async usage({ provider, limits, now }) {
      const call = limitArguments(keys, provider, limits, now);
      const [scaleText, ...rows] = await scripts.usage<[string, ...number[]]>(
        [keys.quotaScale(provider), ...call.keys],
        [nowArgument(now), ...call.args],
      );
      const scale = Number(scaleText);
      return limits.map((limit, index) => {
        const slot = call.slots[index]!;
        const used = rows[slot * 2]!;
        const allowed = Math.max(1, Math.floor(limit.max * scale));
        return { used, remaining: Math.max(0, allowed - used), resetMs: rows[slot * 2 + 1]! };
      });
    },
  };
}
