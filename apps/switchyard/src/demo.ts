import type { ConfigInput } from '@switchyard/config';

/**
 * The embedded demo: with no provider configured and no provider key set, Switchyard runs the
 * bundled simulator with these three providers (two free tiers and a paid one, one per wire
 * format) and routes `summarize` and `default` over them, free first.
 */
export const DEMO_SIM_PROVIDERS = [
  {
    id: 'gemini-sim',
    format: 'gemini' as const,
    models: [{ name: 'gemini-2.0-flash', contextWindow: 1_048_576 }],
    limits: [
      { requests: 15, per: '10s' },
      { tokens: 100_000, per: '10s' },
    ],
    latency: { kind: 'uniform' as const, minMs: 150, maxMs: 600 },
  },
  {
    id: 'groq-sim',
    format: 'openai' as const,
    models: [{ name: 'llama-3.1-8b-instant', contextWindow: 131_072 }],
    limits: [
      { requests: 30, per: '10s' },
      { tokens: 60_000, per: '10s' },
    ],
    latency: { kind: 'uniform' as const, minMs: 50, maxMs: 250 },
    failures: { serverError: 0.05 },
  },
  {
    id: 'claude-sim',
    format: 'anthropic' as const,
    models: [{ name: 'claude-haiku-4-5', contextWindow: 200_000 }],
    latency: { kind: 'uniform' as const, minMs: 300, maxMs: 900 },
  },
];

export function demoConfig(baseUrlFor: (id: string) => string): ConfigInput {
  const targets = [
    'gemini-sim/gemini-2.0-flash',
    'groq-sim/llama-3.1-8b-instant',
    'claude-sim/claude-haiku-4-5',
  ];
  return {
    presets: 'off',
    providers: [
      {
        id: 'gemini-sim',
        kind: 'gemini',
        baseUrl: baseUrlFor('gemini-sim'),
        tier: 'free',
        dataPolicy: 'may-train',
        models: [{ name: 'gemini-2.0-flash', contextWindow: 1_048_576 }],
        limits: [
          { requests: 15, per: '10s' },
          { tokens: 100_000, per: '10s' },
        ],
        concurrency: 4,
        timeout: '30s',
      },
      {
        id: 'groq-sim',
        kind: 'openai',
        baseUrl: baseUrlFor('groq-sim'),
        tier: 'free',
        dataPolicy: 'may-train',
        models: [{ name: 'llama-3.1-8b-instant', contextWindow: 131_072 }],
        limits: [
          { requests: 30, per: '10s' },
          { tokens: 60_000, per: '10s' },
        ],
        concurrency: 4,
        timeout: '30s',
      },
      {
        id: 'claude-sim',
        kind: 'anthropic',
        baseUrl: baseUrlFor('claude-sim'),
        tier: 'paid',
        dataPolicy: 'no-training',
        models: [{ name: 'claude-haiku-4-5', contextWindow: 200_000, price: { input: 1, output: 5 } }],
        concurrency: 8,
        timeout: '30s',
      },
    ],
    routes: {
      summarize: { strategy: 'priority', targets },
      default: { strategy: 'priority', targets },
    },
  };
}
