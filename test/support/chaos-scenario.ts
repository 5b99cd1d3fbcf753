import type { SimProviderConfig } from '@switchyard/provider-sim';

/**
 * The chaos test's workload and providers (test/chaos.test.ts).
 *
 * Every job's prompt is one sentence of exactly `4 * (BASE_TOKENS + index)` characters, so the
 * simulator (one token per four characters) logs `BASE_TOKENS + index` input tokens for every
 * call made for job `index`: its request log says, per job, which provider was called how often
 * and how it answered. A one-sentence prompt is its own extractive summary, cut at `MAX_TOKENS`,
 * so the expected answer of every job is known too.
 */
const BASE_TOKENS = 64;
export const MAX_TOKENS = 32;

const FILLER =
  'and the harbour crews kept the cranes turning through the night while the river rose against the old stone quay ';

export function promptOf(index: number): string {
  const length = 4 * (BASE_TOKENS + index);
  let text = `Chaos job ${index} reports that `;
  while (text.length < length) text += FILLER;
  return `${text
    .slice(0, length - 1)
    .trimEnd()
    .padEnd(length - 1, 'x')}.`;
}

/** What the simulator answers to job `index`: the sentence cut at MAX_TOKENS tokens. */
export function answerOf(index: number): string {
  return promptOf(index).slice(0, 4 * MAX_TOKENS);
}

/** The job a simulator log entry was for, from its input tokens; undefined for anything else (probes). */
export function jobIndexOf(inputTokens: number, jobs: number): number | undefined {
  const index = inputTokens - BASE_TOKENS;
  return index >= 0 && index < jobs ? index : undefined;
}

/** The route's targets. */
export const PROVIDERS = ['alpha', 'bravo', 'charlie', 'delta'] as const;
/** The provider that goes down for 20 seconds mid-run: the one that carries most jobs. */
export const OUTAGE_PROVIDER = 'alpha';

/**
 * Four simulated providers, one of each wire format plus a second OpenAI-compatible one, each
 * with injected 429s (Retry-After 1 s), 5xx, timeouts (held until the client gives up) and
 * malformed bodies (JSON cut in half). Seeded: the same sequence of failures every run.
 */
export function simulatedProviders(): SimProviderConfig[] {
  const model = [{ name: 'm', contextWindow: 16_000 }];
  const latency = { kind: 'lognormal', medianMs: 40, p99Ms: 300 } as const;
  return [
    {
      id: 'alpha',
      format: 'openai',
      models: model,
      latency,
      seed: 11,
      failures: { rateLimited: 0.01, serverError: 0.04, timeout: 0.01, malformed: 0.03 },
    },
    {
      id: 'bravo',
      format: 'gemini',
      models: model,
      latency,
      seed: 12,
      failures: { rateLimited: 0.01, unavailable: 0.04, timeout: 0.01, malformed: 0.03 },
    },
    {
      id: 'charlie',
      format: 'anthropic',
      models: model,
      latency,
      seed: 13,
      failures: { rateLimited: 0.01, serverError: 0.04, timeout: 0.01, malformed: 0.03 },
    },
    {
      id: 'delta',
      format: 'openai',
      models: model,
      latency,
      seed: 14,
      failures: { rateLimited: 0.01, serverError: 0.04, timeout: 0.01, malformed: 0.03 },
    },
  ];
}

export interface ChaosConfigOptions {
  baseUrlFor(providerId: string): string;
  redisUrl: string;
  apiKey: string;
  webhookSecret: string;
}

/** How often each provider comes first in a job's plan (the rest of the plan is its fallback order). */
const WEIGHTS: Record<(typeof PROVIDERS)[number], number> = {
  alpha: 4,
  bravo: 3,
  charlie: 2,
  delta: 1,
};

/**
 * The Switchyard configuration: one route over the four providers, each job's fallback order
 * drawn by weight (so every provider carries hundreds of jobs and re-routing goes every way),
 * provider timeouts of 2 s, one extra call on a target after a 5xx, timeout or malformed body.
 */
export function chaosConfig(options: ChaosConfigOptions) {
  const provider = (id: string, kind: string, tier: string) => ({
    id,
    kind,
    tier,
    baseUrl: options.baseUrlFor(id),
    models: [{ name: 'm', contextWindow: 16_000, price: { input: 0, output: tier === 'paid' ? 1 : 0 } }],
    concurrency: 8,
    timeout: '2s',
  });
  return {
    presets: 'off',
    providers: [
      provider('alpha', 'openai', 'free'),
      provider('bravo', 'gemini', 'free'),
      provider('charlie', 'anthropic', 'free'),
      provider('delta', 'openai', 'paid'),
    ],
    routes: {
      chaos: {
        strategy: 'weighted',
        targets: PROVIDERS.map((id) => ({ target: `${id}/m`, weight: WEIGHTS[id] })),
      },
    },
    redis: { url: options.redisUrl, prefix: 'chaos' },
    auth: { apiKeys: [{ key: options.apiKey, tenant: 'chaos' }] },
    // The scenario's one tenant submits and polls 2,000 jobs far faster than the default 200
    // requests a second allow; the tenant limits have their own tests.
    tenantDefaults: { limits: { requestsPerSecond: 1_000_000 } },
    webhooks: { secret: options.webhookSecret, allowPrivateNetworks: true },
    scheduling: { retriesPerTarget: 1 },
    server: { port: 0, host: '127.0.0.1' },
  };
}
