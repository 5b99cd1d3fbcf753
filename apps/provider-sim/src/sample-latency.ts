import type { SimLatency } from './sim-config.ts';

/** z-score of the 99th percentile of a standard normal distribution. */
const Z_99 = 2.326347874;

/** Draws one latency in whole milliseconds; no latency configured means 0 (answer at once). */
export function sampleLatency(latency: SimLatency | undefined, random: () => number): number {
  if (!latency) return 0;
  switch (latency.kind) {
    case 'fixed':
      return Math.round(latency.ms);
    case 'uniform':
      return Math.round(latency.minMs + random() * (latency.maxMs - latency.minMs));
    case 'lognormal': {
      const mu = Math.log(latency.medianMs);
      const sigma = (Math.log(latency.p99Ms) - mu) / Z_99;
      // Box-Muller; 1 - random() keeps the logarithm finite.
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.round(Math.exp(mu + sigma * normal));
    }
  }
}
