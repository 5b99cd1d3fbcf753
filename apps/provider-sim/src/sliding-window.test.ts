import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';
import { SlidingWindow } from './sliding-window.ts';

describe('SlidingWindow', () => {
  it('counts amounts admitted in (now - per, now]', () => {
    const window = new SlidingWindow(1_000);
    window.add(0, 3);
    window.add(400, 2);
    expect(window.used(999)).toBe(5);
    expect(window.used(1_000)).toBe(2); // the entry at 0 left at exactly 0 + per
    expect(window.used(1_399)).toBe(2);
    expect(window.used(1_400)).toBe(0);
  });

  it('says exactly how long until an amount fits, walking only as far as needed', () => {
    const window = new SlidingWindow(1_000);
    window.add(100, 4);
    window.add(300, 4);
    window.add(600, 4);
    expect(window.timeUntilFits(700, 1, 12)).toBe(400); // the 4 at 100 leave at 1100
    expect(window.timeUntilFits(700, 5, 12)).toBe(600); // needs the 4 at 300 gone too
    expect(window.timeUntilFits(700, 0, 12)).toBe(0);
    expect(window.timeUntilFits(700, 13, 12)).toBeUndefined();
    expect(window.timeUntilEmpty(700)).toBe(900);
  });

  it('keeps a running sum through growth and wrap-around', () => {
    const window = new SlidingWindow(100);
    let expected = 0;
    for (let time = 1; time <= 10_000; time += 1) {
      window.add(time, 1);
      expected = Math.min(time, 100);
      if (window.used(time) !== expected) throw new Error(`at ${time}: ${window.used(time)} !== ${expected}`);
    }
    expect(window.used(10_000)).toBe(100);
    expect(window.used(10_100)).toBe(0);
  });
});

describe('RateLimiter', () => {
  it('rejects with the limit that frees last and admits nothing it rejected', () => {
    const limiter = new RateLimiter([
      { metric: 'requests', limit: 2, perMs: 1_000 },
      { metric: 'tokens', limit: 100, perMs: 60_000 },
    ]);
    expect(limiter.check(0, 60)).toBeUndefined();
    limiter.commit(0, 60);
    const rejection = limiter.check(10, 60);
    expect(rejection).toMatchObject({
      metric: 'tokens',
      limit: 100,
      used: 60,
      requested: 60,
      retryAfterMs: 59_990,
    });
    expect(limiter.check(10, 40)).toBeUndefined();
    limiter.commit(10, 40);
    expect(limiter.check(20, 0)).toMatchObject({ metric: 'requests', retryAfterMs: 980 });
    // Both limits are violated: the answer is the later of the two times.
    expect(limiter.check(20, 1)).toMatchObject({ metric: 'tokens', retryAfterMs: 59_980 });
    expect(limiter.snapshot(20)).toMatchObject({
      requests: { limit: 2, remaining: 0, resetMs: 990 },
      tokens: { limit: 100, remaining: 0, resetMs: 59_990 },
    });
  });

  it('keeps a window history when a limit number changes', () => {
    const limiter = new RateLimiter([{ metric: 'requests', limit: 5, perMs: 1_000 }]);
    for (let index = 0; index < 3; index += 1) limiter.commit(0, 1);
    limiter.setLimits([{ metric: 'requests', limit: 3, perMs: 1_000 }]);
    expect(limiter.check(1, 1)).toMatchObject({ used: 3, retryAfterMs: 999 });
  });
});
