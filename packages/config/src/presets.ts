import type { ProviderInput } from './schema.ts';

export interface Preset {
  /** The environment variable that switches this preset on and holds its key. */
  envKey: string;
  /** When the limits and prices below were read from the provider's documentation. */
  documentedAt: string;
  provider: ProviderInput;
}

const DOCUMENTED = '2026-11';

/**
 * Providers users reach for, with their documented free-tier (or entry-tier) limits.
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
      // Gemini counts per model and per project; the day resets at midnight Pacific time.
      models: [
        {
          name: 'gemini-2.0-flash',
          contextWindow: 1_048_576,
          limits: [
            { requests: 15, per: '1m' },
            { requests: 1_500, per: '1d' },
            { tokens: 1_000_000, per: '1m' },
          ],
        },
        {
          name: 'gemini-2.0-flash-lite',
          contextWindow: 1_048_576,
          limits: [
            { requests: 30, per: '1m' },
            { requests: 1_500, per: '1d' },
            { tokens: 1_000_000, per: '1m' },
          ],
        },
        {
          name: 'gemini-2.5-flash',
          contextWindow: 1_048_576,
          limits: [
            { requests: 10, per: '1m' },
            { requests: 250, per: '1d' },
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
      // Account-wide over all :free models; 1,000 a day once $10 of credits were bought. UTC day.
      limits: [
        { requests: 20, per: '1m' },
        { requests: 50, per: '1d' },
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
      models: [
        { name: 'llama3.1-8b', contextWindow: 8_192 },
        { name: 'llama-3.3-70b', contextWindow: 8_192 },
      ],
      limits: [
        { requests: 30, per: '1m' },
        { requests: 900, per: '1h' },
        { requests: 14_400, per: '1d' },
        { tokens: 60_000, per: '1m' },
        { tokens: 1_000_000, per: '1d' },
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
      models: [{ name: 'deepseek-chat', contextWindow: 131_072, price: { input: 0.28, output: 0.42 } }],
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
        { name: 'gpt-4o-mini', contextWindow: 128_000, price: { input: 0.15, output: 0.6 } },
        { name: 'gpt-4.1-mini', contextWindow: 1_047_576, price: { input: 0.4, output: 1.6 } },
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
      models: [{ name: 'claude-haiku-4-5', contextWindow: 200_000, price: { input: 1, output: 5 } }],
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
