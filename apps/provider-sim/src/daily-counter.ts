import { nextMidnight } from '@switchyard/spec';
import type { WireFormatKind } from './sim-config.ts';

/** Where each provider's day turns: Gemini documents midnight Pacific time, the others UTC. */
const DAY_ZONE: Record<WireFormatKind, string> = {
  openai: 'UTC',
  anthropic: 'UTC',
  gemini: 'America/Los_Angeles',
};

/** Successful requests of the current calendar day, for a daily cap. */
export class DailyCounter {
  private used = 0;
  private dayEndsAt = Number.NEGATIVE_INFINITY;
  private readonly timeZone: string;

  constructor(format: WireFormatKind) {
    this.timeZone = DAY_ZONE[format];
  }

  /** Requests counted today. */
  usedAt(now: number): number {
    this.roll(now);
    return this.used;
  }

  /** Milliseconds until the day turns and the count starts again. */
  resetMsAt(now: number): number {
    this.roll(now);
    return this.dayEndsAt - now;
  }

  count(now: number): void {
    this.roll(now);
    this.used += 1;
  }

  clear(): void {
    this.used = 0;
    this.dayEndsAt = Number.NEGATIVE_INFINITY;
  }

  private roll(now: number): void {
    if (now < this.dayEndsAt) return;
    this.used = 0;
    this.dayEndsAt = nextMidnight(this.timeZone, now);
  }
}
