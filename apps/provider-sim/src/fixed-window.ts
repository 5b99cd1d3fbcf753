/**
 * The amounts admitted in the current fixed period: periods of `perMs` start at `resetsAt` and
 * every `perMs` before and after it, and the count starts again at each start (a provider's
 * day that resets at its midnight, compressed or not). Same interface as `SlidingWindow`.
 */
export class FixedWindow {
  readonly perMs: number;
  private readonly resetsAt: number;
  private periodStart = Number.NEGATIVE_INFINITY;
  private total = 0;

  constructor(perMs: number, resetsAt: number) {
    this.perMs = perMs;
    this.resetsAt = resetsAt;
  }

  used(now: number): number {
    this.roll(now);
    return this.total;
  }

  add(now: number, amount: number): void {
    if (amount <= 0) return;
    this.roll(now);
    this.total += amount;
  }

  /** 0 when `amount` more fits now, the time until the next period otherwise; undefined: never. */
  timeUntilFits(now: number, amount: number, limit: number): number | undefined {
    if (amount > limit) return undefined;
    this.roll(now);
    return this.total + amount <= limit ? 0 : this.periodStart + this.perMs - now;
  }

  timeUntilEmpty(now: number): number {
    this.roll(now);
    return this.total === 0 ? 0 : this.periodStart + this.perMs - now;
  }

  clear(): void {
    this.total = 0;
    this.periodStart = Number.NEGATIVE_INFINITY;
  }

  private roll(now: number): void {
    const start = Math.floor((now - this.resetsAt) / this.perMs) * this.perMs + this.resetsAt;
    if (start > this.periodStart) {
      this.periodStart = start;
      this.total = 0;
    }
  }
}
