import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SimProviderConfig, Simulator } from '@switchyard/provider-sim';
import { REDIS_URL } from './bench-prefix.ts';

/** A limit as both the simulator and the Switchyard configuration write it. */
export interface BenchLimit {
  requests?: number;
  tokens?: number;
  per: string;
}

export interface BenchProvider {
  id: string;
  /** Wire format (default openai). Gemini sends no rate-limit headers, only a 429's RetryInfo. */
  format?: 'openai' | 'gemini';
  limits?: BenchLimit[];
  /** Calls in flight at once over every worker (Switchyard's `concurrency`). */
  concurrency?: number;
  failures?: SimProviderConfig['failures'];
  latency?: SimProviderConfig['latency'];
}

/** The one model every benchmark provider serves. */
export const MODEL = 'm';

/** The simulator's side of a benchmark provider. */
export function simulatedProviderConfig(provider: BenchProvider): SimProviderConfig {
  return {
    id: provider.id,
    format: provider.format ?? 'openai',
    models: [{ name: MODEL, contextWindow: 32_000 }],
    limits: provider.limits ?? [],
    ...(provider.failures ? { failures: provider.failures } : {}),
    ...(provider.latency ? { latency: provider.latency } : {}),
  };
}

/** Switchyard's side: the provider entry (the raw shape of examples/switchyard.yaml), same limits. */
export function switchyardProviderEntry(provider: BenchProvider, baseUrl: string) {
  return {
    id: provider.id,
    kind: provider.format ?? 'openai',
    baseUrl,
    apiKey: 'sim-key',
    tier: 'free',
    models: [{ name: MODEL, contextWindow: 32_000 }],
    limits: provider.limits ?? [],
    concurrency: provider.concurrency ?? 8,
    timeout: '10s',
  };
}

/**
 * Adds a simulated provider and returns the matching Switchyard provider entry, with the same
 * limits on both sides.
 */
export function addSimulatedProvider(simulator: Simulator, provider: BenchProvider) {
  simulator.addProvider(simulatedProviderConfig(provider));
  return switchyardProviderEntry(provider, simulator.baseUrlFor(provider.id));
}

/** A raw configuration (what `parseConfig` and `writeConfig` take) over the given providers. */
export function benchConfig(options: {
  prefix: string;
  providers: ReturnType<typeof addSimulatedProvider>[];
  /** Route name -> `provider/model` targets, tried in order. */
  routes: Record<string, string[]>;
  retriesPerTarget?: number;
}) {
  return {
    presets: 'off',
    providers: options.providers,
    routes: Object.fromEntries(
      Object.entries(options.routes).map(([name, targets]) => [name, { strategy: 'priority', targets }]),
    ),
    redis: { url: REDIS_URL, prefix: options.prefix },
    scheduling: { retriesPerTarget: options.retriesPerTarget ?? 2 },
    // One tenant is the whole load here: its limits (200 requests a second, 100,000 queued jobs
    // by default) would measure the tenant limiter, not the broker.
    tenantDefaults: {
      limits: {
        requestsPerSecond: 1_000_000_000,
        queuedJobs: 1_000_000_000,
        streams: 1_000_000,
        storage: '1TB',
      },
    },
  };
}

/** Removes a configuration written by test/support's `writeConfig` (and its temporary folder). */
export function removeConfig(path: string): void {
  rmSync(dirname(path), { recursive: true, force: true });
}
