import { FixedWindow } from './fixed-window.ts';
import { SlidingWindow } from './sliding-window.ts';

type Window = SlidingWindow | FixedWindow;

export type LimitMetric = 'requests' | 'tokens';

export interface ResolvedLimit {
  metric: LimitMetric;
  limit: number;
  perMs: number;
  /** A fixed window: epoch ms of one of its resets (absent: sliding). */
  resetsAt?: number;
}

/** One quota as reported in response headers. */
export interface QuotaState extends ResolvedLimit {
  remaining: number;
  /** Milliseconds until this quota is fully replenished (the newest admission leaves the window). */
  resetMs: number;
}

export type QuotaSnapshot = Partial<Record<LimitMetric, QuotaState>>;

export interface LimitRejection extends ResolvedLimit {
  /** Already admitted in the window. */
  used: number;
  requested: number;
  /** Exact milliseconds until every limit admits this request; undefined when it never can. */
  retryAfterMs: number | undefined;
}

/**
 * Exact sliding-window limits: a request is admitted when, for every limit, the
 * amount admitted in (now - per, now] plus its own amount is within the limit.
 * Windows are keyed by metric and length, so changing a limit's number keeps its history.
 */
export class RateLimiter {
  private limits: Array<ResolvedLimit & { window: Window }> = [];
  private windows = new Map<string, Window>();

  constructor(limits: ResolvedLimit[]) {
    this.setLimits(limits);
  }

  setLimits(limits: ResolvedLimit[]): void {
    const windows = new Map<string, Window>();
    this.limits = limits.map((limit) => {
      const key = `${limit.metric}:${limit.perMs}${limit.resetsAt === undefined ? '' : `@${limit.resetsAt}`}`;
      const window =
        windows.get(key) ??
        this.windows.get(key) ??
        (limit.resetsAt === undefined
          ? new SlidingWindow(limit.perMs)
          : new FixedWindow(limit.perMs, limit.resetsAt));
      windows.set(key, window);
      return { ...limit, window };
    });
    this.windows = windows;
  }

  get isEmpty(): boolean {
    return this.limits.length === 0;
  }

  /** The binding rejection (the one that frees last), or undefined when admitted. */
  check(now: number, tokens: number): LimitRejection | undefined {
    let rejection: LimitRejection | undefined;
    for (const entry of this.limits) {
      const requested = entry.metric === 'requests' ? 1 : tokens;
      const wait = entry.window.timeUntilFits(now, requested, entry.limit);
      if (wait === 0) continue;
      const worse =
        rejection === undefined ||
        (rejection.retryAfterMs !== undefined && (wait === undefined || wait > rejection.retryAfterMs));
      if (worse) {
        rejection = {
          metric: entry.metric,
          limit: entry.limit,
          perMs: entry.perMs,
          used: entry.window.used(now),
          requested,
          retryAfterMs: wait,
        };
      }
    }
    return rejection;
  }

  commit(now: number, tokens: number): void {
    // Windows are shared per (metric, per), so each is fed once.
    for (const [key, window] of this.windows) window.add(now, key.startsWith('requests:') ? 1 : tokens);
  }

  /** Per metric, the quota with the least remaining (ties: the one that takes longest to reset). */
  snapshot(now: number): QuotaSnapshot {
    const snapshot: QuotaSnapshot = {};
    for (const entry of this.limits) {
      const remaining = Math.max(0, entry.limit - entry.window.used(now));
      const resetMs = entry.window.timeUntilEmpty(now);
      const current = snapshot[entry.metric];
      if (
        current === undefined ||
        remaining < current.remaining ||
        (remaining === current.remaining && resetMs > current.resetMs)
      ) {
        snapshot[entry.metric] = {
          metric: entry.metric,
          limit: entry.limit,
          perMs: entry.perMs,
          remaining,
          resetMs,
        };
      }
    }
    return snapshot;
  }

  clear(): void {
    for (const window of this.windows.values()) window.clear();
  }
}
