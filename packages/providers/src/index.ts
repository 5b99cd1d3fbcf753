// The table lives in the spec, which configuration reads too; re-exported for adapter users.
export { WIRE_CAPABILITIES } from '@switchyard/spec';
export { createAnthropicAdapter } from './anthropic/create-anthropic-adapter.ts';
export { CARRIED_FIELDS } from './carried-fields.ts';
export type { AdapterOptions } from './common/adapter-options.ts';
export { parseRateLimitHeaders } from './common/parse-rate-limit-headers.ts';
export { type CreateAdapterOptions, createAdapter } from './create-adapter.ts';
export { createProviderAdapters } from './create-provider-adapters.ts';
export { createGeminiAdapter } from './gemini/create-gemini-adapter.ts';
export { createOpenAICompatibleAdapter } from './openai-compatible/create-openai-compatible-adapter.ts';
