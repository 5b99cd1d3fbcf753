import { formatDuration } from '@switchyard/config';
import { calendarPeriodStarts } from '@switchyard/spec';
import type { Keys } from '../keys.ts';

export interface QuotaLimit {
  /** `provider`, or a model name for a limit of that model alone. */
  scope: string;
  unit: 'requests' | 'tokens';
  max: number;
  /**
   * Milliseconds of a sliding window (of a fixed one with `resetsAt`), or a calendar day or
   * month of `timeZone` (a month without a time zone: UTC).
   */
  window: number | 'day' | 'month';
  /** IANA time zone whose midnight starts a `day` or `month` (a `day` without one: UTC). */
  timeZone?: string;
  /** With a duration: a fixed window that resets at this instant (epoch ms) and every `window` from it. */
  resetsAt?: number;
}

const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;

/** A window's length in ms: its duration, a day, or a month counted as 30 days (for estimates). */
export function windowLengthMs(limit: QuotaLimit): number {
  return limit.window === 'month' ? MONTH_MS : limit.window === 'day' ? DAY_MS : limit.window;
}

/** Whether the limit counts in fixed windows (a calendar day or month, or `resetsAt`), not sliding. */
export function isFixedWindow(limit: QuotaLimit): boolean {
  return typeof limit.window !== 'number' || limit.resetsAt !== undefined;
}

/**
 * The starts of four consecutive periods of a fixed window (the one before the period of
 * `now`, that period and the two after it), or undefined for a sliding window and a UTC month
 * (which the scripts compute themselves). Computed here because only JavaScript knows time
 * zones; four starts let the scripts use Redis time even when it is a period away from ours.
 */
export function periodStartsOf(limit: QuotaLimit, now: number): number[] | undefined {
  if (limit.window === 'day' || (limit.window === 'month' && limit.timeZone !== undefined)) {
    return calendarPeriodStarts(limit.timeZone ?? 'UTC', limit.window, now);
  }
  if (typeof limit.window === 'number' && limit.resetsAt !== undefined) {
    const length = limit.window;
    const start = Math.floor((now - limit.resetsAt) / length) * length + limit.resetsAt;
    return [start - length, start, start + length, start + 2 * length];
  }
  return undefined;
}

/** The name of a limit's window in its key and in reports: `1m`, `month`, `day@UTC`, `1h@0`. */
export function windowLabelOf(limit: QuotaLimit): string {
  if (limit.window === 'day') return `day@${limit.timeZone ?? 'UTC'}`;
  if (limit.window === 'month') return limit.timeZone === undefined ? 'month' : `month@${limit.timeZone}`;
  const duration = formatDuration(limit.window);
  if (limit.resetsAt === undefined) return duration;
  // Anchors a whole number of windows apart name the same periods.
  return `${duration}@${((limit.resetsAt % limit.window) + limit.window) % limit.window}`;
}

/**
 * The keys and per-limit arguments of one script call. Limits that share a key (the same
 * scope, unit and window listed twice) are passed once, with the smaller max.
 */
export interface LimitArguments {
  keys: string[];
  /** Per distinct limit: unit, max, window (ms, `month`, or `starts:<s1>:<s2>:<s3>:<s4>`). */
  args: Array<string | number>;
  /** Position in `limits` of each distinct limit (for `limitIndex`). */
  origins: number[];
  /** Distinct limit of each position in `limits` (for `usage`). */
  slots: number[];
}

export function limitArguments(
  keys: Keys,
  provider: string,
  limits: QuotaLimit[],
  now: number = Date.now(),
): LimitArguments {
  const result: LimitArguments = { keys: [], args: [], origins: [], slots: [] };
  const slotOfKey = new Map<string, number>();
  limits.forEach((limit, index) => {
    checkLimit(limit, index);
    const window = windowLabelOf(limit);
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
    const starts = periodStartsOf(limit, now);
    // A sliding token window keeps the running sum of its entries beside them.
    if (typeof limit.window === 'number' && !starts && limit.unit === 'tokens') {
      result.keys.push(keys.quota(provider, limit.scope, limit.unit, `${window}:sum`));
    }
    result.args.push(limit.unit, limit.max, starts ? `starts:${starts.join(':')}` : limit.window);
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
  if (typeof limit.window === 'number') {
    if (!Number.isSafeInteger(limit.window) || limit.window < 1) {
      throw new RangeError(
        `limits[${index}].window: expected milliseconds (a positive integer), day or month`,
      );
    }
    if (limit.resetsAt !== undefined && !Number.isSafeInteger(limit.resetsAt)) {
      throw new RangeError(`limits[${index}].resetsAt: expected epoch milliseconds`);
    }
  } else if (limit.window !== 'day' && limit.window !== 'month') {
    throw new RangeError(`limits[${index}].window: expected milliseconds (a positive integer), day or month`);
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
