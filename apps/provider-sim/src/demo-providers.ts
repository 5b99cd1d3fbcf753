import type { SimProviderConfig } from './sim-config.ts';

/**
 * A demo set shaped like today's free tiers (docs/providers.md, "Free-tier limits and
 * rate-limit headers", as documented in November 2026): an OpenAI-compatible Groq, Gemini and Claude.
 * Limits are per provider here (the simulator has no per-model limits).
 */
export const DEMO_PROVIDERS: SimProviderConfig[] = [
  {
    id: 'groq-sim',
    format: 'openai',
    models: [
      { name: 'llama-3.1-8b-instant', contextWindow: 131_072 },
      { name: 'llama-3.3-70b-versatile', contextWindow: 131_072 },
    ],
    // Groq llama-3.1-8b-instant: 30 RPM, 14,400 RPD, 6k TPM, 500k TPD.
    limits: [
      { requests: 30, per: '1m' },
      { requests: 14_400, per: '1d' },
      { tokens: 6_000, per: '1m' },
      { tokens: 500_000, per: '1d' },
    ],
    latency: { kind: 'lognormal', medianMs: 250, p99Ms: 1_200 },
    failures: { unavailable: 0.01 },
  },
  {
    id: 'gemini-sim',
    format: 'gemini',
    models: [
      { name: 'gemini-2.0-flash', contextWindow: 1_048_576 },
      { name: 'gemini-2.5-flash', contextWindow: 1_048_576 },
    ],
    // Gemini 2.0 Flash: 15 RPM, 1M TPM, 1,500 RPD.
    limits: [
      { requests: 15, per: '1m' },
      { tokens: 1_000_000, per: '1m' },
      { requests: 1_500, per: '1d' },
    ],
    latency: { kind: 'lognormal', medianMs: 600, p99Ms: 3_000 },
    failures: { rateLimited: 0.01, serverError: 0.01 },
  },
  {
    id: 'claude-sim',
    format: 'anthropic',
    models: [
      { name: 'claude-haiku-4-5', contextWindow: 200_000 },
      { name: 'claude-sonnet-4-5', contextWindow: 200_000 },
    ],
    // Anthropic has no free tier; these are entry-tier-like limits.
    limits: [
      { requests: 50, per: '1m' },
      { tokens: 50_000, per: '1m' },
    ],
    latency: { kind: 'lognormal', medianMs: 800, p99Ms: 4_000 },
    failures: { unavailable: 0.02 },
  },
];
