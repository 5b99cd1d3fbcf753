import type { SimProviderConfig, SimProviderPatch } from './sim-config.ts';
import type { ProviderStats } from './simulated-provider.ts';

/** The running simulator, as tests, benchmarks and the demo use it. */
export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  providers: SimProviderConfig[];
  /** The clock for limit windows, outages and timestamps (ms since the epoch). Default Date.now. */
  now?: () => number;
}

export interface SimulatedProviderInfo {
  id: string;
  format: SimProviderConfig['format'];
  baseUrl: string;
  config: SimProviderConfig;
}

export interface Simulator {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  /** What an SDK takes as its base URL: `/{id}/v1` (openai), `/{id}` (anthropic), `/{id}/v1beta` (gemini). */
  baseUrlFor(providerId: string): string;
  /** Changes a provider at runtime (top-level keys replace, null removes); returns the new config. */
  configure(providerId: string, patch: SimProviderPatch): SimProviderConfig;
  /** Adds a provider; returns its base URL. */
  addProvider(config: SimProviderConfig): string;
  providers(): SimulatedProviderInfo[];
  stats(providerId?: undefined, logLimit?: number): Record<string, ProviderStats>;
  stats(providerId: string, logLimit?: number): ProviderStats;
  /** Clears counters, limit windows and request logs of every provider. */
  reset(): void;
  /** Stops listening and destroys every open socket, including held (timeout) ones. */
  close(): Promise<void>;
}
