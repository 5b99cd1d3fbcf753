/**
 * The amounts admitted during the last `perMs` milliseconds, i.e. in (now - perMs, now].
 * A ring-buffer deque of (time, amount) with a running sum: adding and evicting are
 * amortised O(1), and only a rejection walks the deque (as far as it must to free room).
 */
export class SlidingWindow {
  readonly perMs: number;
  private times: number[] = new Array(16);
  private amounts: number[] = new Array(16);
  private head = 0;
  private size = 0;
  private total = 0;

  constructor(perMs: number) {
    this.perMs = perMs;
  }

  /** The amount admitted in (now - perMs, now]. */
  used(now: number): number {
    this.evict(now);
    return this.total;
  }

  add(now: number, amount: number): void {
    if (amount <= 0) return;
    this.evict(now);
    this.total += amount;
    const capacity = this.times.length;
    if (this.size > 0) {
      const last = (this.head + this.size - 1) % capacity;
      const lastTime = this.times[last]!;
      // Same millisecond (or a clock that stepped back): merge, keeping times ordered.
      if (now <= lastTime) {
        this.amounts[last] = this.amounts[last]! + amount;
        return;
      }
    }
    if (this.size === capacity) this.grow();
    const tail = (this.head + this.size) % this.times.length;
    this.times[tail] = now;
    this.amounts[tail] = amount;
    this.size += 1;
  }

  /**
   * Milliseconds until `amount` more fits under `limit`: 0 when it fits now,
   * undefined when it never can (amount > limit).
   */
  timeUntilFits(now: number, amount: number, limit: number): number | undefined {
    if (amount > limit) return undefined;
    this.evict(now);
    const excess = this.total + amount - limit;
    if (excess <= 0) return 0;
    const capacity = this.times.length;
    let freed = 0;
    for (let offset = 0; offset < this.size; offset += 1) {
      const index = (this.head + offset) % capacity;
      freed += this.amounts[index]!;
      if (freed >= excess) return this.times[index]! + this.perMs - now;
    }
    return this.timeUntilEmpty(now);
  }

  /** Milliseconds until every admitted amount has left the window. */
  timeUntilEmpty(now: number): number {
    this.evict(now);
    if (this.size === 0) return 0;
    const last = (this.head + this.size - 1) % this.times.length;
    return this.times[last]! + this.perMs - now;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.total = 0;
  }

  private evict(now: number): void {
    const boundary = now - this.perMs;
    const capacity = this.times.length;
    while (this.size > 0 && this.times[this.head]! <= boundary) {
      this.total -= this.amounts[this.head]!;
      this.head = (this.head + 1) % capacity;
      this.size -= 1;
    }
    if (this.size === 0) this.total = 0;
  }

  private grow(): void {
    const capacity = this.times.length;
    const times: number[] = new Array(capacity * 2);
    const amounts: number[] = new Array(capacity * 2);
    for (let offset = 0; offset < this.size; offset += 1) {
      const index = (this.head + offset) % capacity;
      times[offset] = this.times[index]!;
      amounts[offset] = this.amounts[index]!;
    }
    this.times = times;
    this.amounts = amounts;
    this.head = 0;
  }
}
