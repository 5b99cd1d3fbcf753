import { formatDuration } from '@switchyard/config';
import type { Keys } from '../keys.ts';

export interface QuotaLimit {
  /** `provider`, or a model name for a limit of that model alone. */
  scope: string;
  unit: 'requests' | 'tokens';
  max: number;
  /** Milliseconds of a sliding window, or a calendar month (UTC). */
  window: number | 'month';
}

/**
 * The keys and per-limit arguments of one script call. Limits that share a key (the same
 * scope, unit and window listed twice) are passed once, with the smaller max.
 */
export interface LimitArguments {
  keys: string[];
  /** Per distinct limit: unit, max, window (ms, or `month`). */
  args: Array<string | number>;
  /** Position in `limits` of each distinct limit (for `limitIndex`). */
  origins: number[];
  /** Distinct limit of each position in `limits` (for `usage`). */
  slots: number[];
}

export function limitArguments(keys: Keys, provider: string, limits: QuotaLimit[]): LimitArguments {
  const result: LimitArguments = { keys: [], args: [], origins: [], slots: [] };
  const slotOfKey = new Map<string, number>();
  limits.forEach((limit, index) => {
    checkLimit(limit, index);
    const window = limit.window === 'month' ? 'month' : formatDuration(limit.window);
    const key = keys.quota(provider, limit.scope, limit.unit, window);
    const known = slotOfKey.get(key);
    if (known !== undefined) {
      result.slots.push(known);
      const maxAt = known * 3 + 1;
      if (limit.max < (result.args[maxAt] as number)) {
        result.args[maxAt] = limit.max;
        result.origins[known] = index;
      }
      return;
    }
    slotOfKey.set(key, result.origins.length);
    result.slots.push(result.origins.length);
    result.origins.push(index);
    result.keys.push(key);
    // A token window keeps the running sum of its entries beside them.
    if (limit.window !== 'month' && limit.unit === 'tokens') {
      result.keys.push(keys.quota(provider, limit.scope, limit.unit, `${window}:sum`));
    }
    result.args.push(limit.unit, limit.max, limit.window);
  });
  return result;
}

function checkLimit(limit: QuotaLimit, index: number): void {
  if (limit.unit !== 'requests' && limit.unit !== 'tokens') {
    throw new RangeError(`limits[${index}].unit: expected requests or tokens`);
  }
  if (!Number.isSafeInteger(limit.max) || limit.max < 1) {
    throw new RangeError(`limits[${index}].max: expected a positive integer`);
  }
  if (limit.window !== 'month' && (!Number.isSafeInteger(limit.window) || limit.window < 1)) {
    throw new RangeError(`limits[${index}].window: expected milliseconds (a positive integer) or month`);
  }
  if (limit.scope.length === 0) throw new RangeError(`limits[${index}].scope: expected provider or a model`);
}

/** A count or duration the scripts take as an integer. */
export function checkInteger(name: string, value: number, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`${name}: expected an integer >= ${minimum}, got ${value}`);
  }
}

/** `now` for the scripts: the caller's milliseconds, or '' for Redis server time. */
export function nowArgument(now: number | undefined): number | '' {
  if (now === undefined) return '';
  checkInteger('now', now, 0);
  return now;
}
