import { describe, expect, it } from 'vitest';
import { createRandom } from './create-random.ts';
import { sampleLatency } from './sample-latency.ts';

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * values.length)]!;

describe('sampleLatency', () => {
  it('is zero without latency and exact for fixed latency', () => {
    expect(sampleLatency(undefined, createRandom(1))).toBe(0);
    expect(sampleLatency({ kind: 'fixed', ms: 120 }, createRandom(1))).toBe(120);
  });

  it('stays within uniform bounds', () => {
    const random = createRandom(3);
    for (let index = 0; index < 1_000; index += 1) {
      const ms = sampleLatency({ kind: 'uniform', minMs: 50, maxMs: 80 }, random);
      expect(ms).toBeGreaterThanOrEqual(50);
      expect(ms).toBeLessThanOrEqual(80);
    }
  });

  it('matches the configured lognormal median and p99, repeatably for a seed', () => {
    const latency = { kind: 'lognormal', medianMs: 400, p99Ms: 2_000 } as const;
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 20_000 }, () => sampleLatency(latency, random));
    };
    const samples = draw(7);
    expect(draw(7)).toEqual(samples);
    expect(Math.abs(quantile(samples, 0.5) - 400)).toBeLessThan(20);
    expect(Math.abs(quantile(samples, 0.99) - 2_000)).toBeLessThan(200);
  });
});
