import type { ProviderInput } from './schema.ts';

export interface Preset {
  /** The environment variable that switches this preset on and holds its key. */
  envKey: string;
  /** When the limits and prices below were read from the provider's documentation. */
  documentedAt: string;
  provider: ProviderInput;
}

/** The day every figure below was last checked against the providers' documentation (docs/providers.md). */
const DOCUMENTED = '2026-12-02';

/**
 * Providers users reach for, with their documented free-tier (or entry-tier) limits. GitHub
 * Models is not among them: it was retired on 30 July 2026.
 * Each is added when its key variable is set and the file has no provider with the same id.
 * Limits change: the date beside each one says when it was read. Data policies are the
 * conservative reading of each provider's terms (free tiers may train on prompts).
 */
export const PRESETS: readonly Preset[] = [
  {
    envKey: 'GEMINI_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'gemini-free',
      kind: 'gemini',
      tier: 'free',
      dataPolicy: 'may-train',
      // Gemini counts per model and per project (keys of one project share one quota); the day
      // resets at midnight Pacific time.
      // 2.0 Flash and Flash-Lite were shut down; 2.5 Flash's free day fell from 250 to 20
      // requests in December 2025. Google no longer publishes the free tier's figures outside
      // AI Studio: these are the last ones documented (docs/providers.md).
      models: [
        {
          name: 'gemini-2.5-flash',
          contextWindow: 1_048_576,
          limits: [
            { requests: 10, per: '1m' },
            { requests: 20, per: 'day', timeZone: 'America/Los_Angeles' },
            { tokens: 250_000, per: '1m' },
          ],
        },
      ],
      concurrency: 4,
      timeout: '60s',
    },
  },
  {
    envKey: 'GROQ_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'groq-free',
      kind: 'openai',
      baseUrl: 'https://api.groq.com/openai/v1',
      tier: 'free',
      dataPolicy: 'may-train',
      models: [
        {
          name: 'llama-3.1-8b-instant',
          contextWindow: 131_072,
          limits: [
            { requests: 30, per: '1m' },
            { requests: 14_400, per: '1d' },
            { tokens: 6_000, per: '1m' },
            { tokens: 500_000, per: '1d' },
          ],
        },
        {
          name: 'llama-3.3-70b-versatile',
          contextWindow: 131_072,
          limits: [
            { requests: 30, per: '1m' },
            { requests: 1_000, per: '1d' },
            { tokens: 12_000, per: '1m' },
            { tokens: 100_000, per: '1d' },
          ],
        },
      ],
      concurrency: 4,
      timeout: '30s',
    },
  },
  {
    envKey: 'MISTRAL_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'mistral-free',
      kind: 'openai',
      baseUrl: 'https://api.mistral.ai/v1',
      tier: 'free',
      dataPolicy: 'may-train',
      models: [
        { name: 'mistral-small-latest', contextWindow: 131_072 },
        { name: 'open-mistral-nemo', contextWindow: 131_072 },
      ],
      limits: [
        { requests: 1, per: '1s' },
        { tokens: 500_000, per: '1m' },
        { tokens: 1_000_000_000, per: 'month' },
      ],
      concurrency: 1,
      timeout: '60s',
    },
  },
  {
    envKey: 'OPENROUTER_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'openrouter-free',
      kind: 'openai',
      baseUrl: 'https://openrouter.ai/api/v1',
      tier: 'free',
      dataPolicy: 'may-train',
      models: [
        { name: 'meta-llama/llama-3.3-70b-instruct:free', contextWindow: 131_072 },
        { name: 'deepseek/deepseek-chat-v3-0324:free', contextWindow: 163_840 },
      ],
      // Account-wide over all :free models; 1,000 a day once $10 of credits were bought (set
      // `{ requests: 1000, per: 'day' }` then). A calendar day, UTC. Counted per account:
      // more keys of one account add nothing. Out of credits it answers 402.
      limits: [
        { requests: 20, per: '1m' },
        { requests: 50, per: 'day' },
      ],
      concurrency: 2,
      timeout: '60s',
    },
  },
  {
    envKey: 'CEREBRAS_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'cerebras-free',
      kind: 'openai',
      baseUrl: 'https://api.cerebras.ai/v1',
      tier: 'free',
      dataPolicy: 'may-train',
      // Cerebras retired the Llama models; gpt-oss-120b has a 65k context on the free tier.
      // 5 RPM and 30k TPM is stricter than the 30 RPM / 60k TPM its page last showed: kept, being
      // the more conservative reading (docs/providers.md). The day is UTC.
      models: [{ name: 'gpt-oss-120b', contextWindow: 65_536 }],
      limits: [
        { requests: 5, per: '1m' },
        { tokens: 30_000, per: '1m' },
        { tokens: 1_000_000, per: 'day' },
      ],
      concurrency: 4,
      timeout: '30s',
    },
  },
  {
    envKey: 'DEEPSEEK_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'deepseek',
      kind: 'openai',
      baseUrl: 'https://api.deepseek.com/v1',
      tier: 'paid',
      dataPolicy: 'may-train',
      // DeepSeek sets no fixed rate limits; under load it holds connections open instead.
      models: [
        {
          name: 'deepseek-chat',
          contextWindow: 131_072,
          price: { input: 0.28, output: 0.42, cachedInput: 0.028 },
        },
      ],
      concurrency: 8,
      timeout: '10m',
    },
  },
  {
    envKey: 'DASHSCOPE_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'qwen',
      kind: 'openai',
      baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
      tier: 'paid',
      dataPolicy: 'may-train',
      models: [
        { name: 'qwen-turbo', contextWindow: 1_000_000, price: { input: 0.05, output: 0.2 } },
        { name: 'qwen-plus', contextWindow: 131_072, price: { input: 0.4, output: 1.2 } },
      ],
      limits: [{ requests: 600, per: '1m' }],
      concurrency: 8,
      timeout: '60s',
    },
  },
  {
    envKey: 'OPENAI_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'openai',
      kind: 'openai',
      tier: 'paid',
      dataPolicy: 'no-training',
      models: [
        {
          name: 'gpt-4o-mini',
          contextWindow: 128_000,
          price: { input: 0.15, output: 0.6, cachedInput: 0.075 },
        },
        {
          name: 'gpt-4.1-mini',
          contextWindow: 1_047_576,
          price: { input: 0.4, output: 1.6, cachedInput: 0.1 },
        },
      ],
      // Usage tier 1.
      limits: [
        { requests: 500, per: '1m' },
        { tokens: 200_000, per: '1m' },
      ],
      concurrency: 16,
      timeout: '60s',
    },
  },
  {
    envKey: 'ANTHROPIC_API_KEY',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'anthropic',
      kind: 'anthropic',
      tier: 'paid',
      dataPolicy: 'no-training',
      // Cache reads at 0.1x input, cache writes (5-minute TTL) at 1.25x.
      models: [
        {
          name: 'claude-haiku-4-5',
          contextWindow: 200_000,
          price: { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
        },
      ],
      // Usage tier 1.
      limits: [
        { requests: 50, per: '1m' },
        { tokens: 50_000, per: '1m' },
      ],
      concurrency: 8,
      timeout: '60s',
    },
  },
  {
    // A local Ollama needs no key: OLLAMA_BASE_URL switches it on (e.g. http://127.0.0.1:11434/v1).
    envKey: 'OLLAMA_BASE_URL',
    documentedAt: DOCUMENTED,
    provider: {
      id: 'ollama',
      kind: 'openai',
      tier: 'self-hosted',
      dataPolicy: 'local',
      models: [{ name: 'llama3.2', contextWindow: 131_072 }],
      concurrency: 1,
      timeout: '5m',
    },
  },
];

/** The presets switched on by `env`, with their key (or, for Ollama, base URL) filled in. */
export function presetsFromEnv(env: Record<string, string | undefined>): ProviderInput[] {
  const providers: ProviderInput[] = [];
  for (const preset of PRESETS) {
    const value = env[preset.envKey];
    if (!value) continue;
    if (preset.envKey === 'OLLAMA_BASE_URL') {
      const model = env.OLLAMA_MODEL;
      providers.push({
        ...preset.provider,
        baseUrl: value,
        models: model ? [{ name: model, contextWindow: 131_072 }] : preset.provider.models,
      });
    } else {
      providers.push({ ...preset.provider, apiKey: value });
    }
  }
  return providers;
}
