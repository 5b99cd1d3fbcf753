import type { ProviderAdapter, ProviderKind } from '@switchyard/spec';
import { createAnthropicAdapter } from './anthropic/create-anthropic-adapter.ts';
import type { AdapterOptions } from './common/adapter-options.ts';
import { createGeminiAdapter } from './gemini/create-gemini-adapter.ts';
import { createOpenAICompatibleAdapter } from './openai-compatible/create-openai-compatible-adapter.ts';

export interface CreateAdapterOptions extends AdapterOptions {
  kind: ProviderKind;
}

/** The adapter for one configured provider, picked by its wire format. */
export function createAdapter(options: CreateAdapterOptions): ProviderAdapter {
  const { kind, ...adapterOptions } = options;
  switch (kind) {
    case 'openai':
      return createOpenAICompatibleAdapter(adapterOptions);
    case 'anthropic':
      return createAnthropicAdapter(adapterOptions);
    case 'gemini':
      return createGeminiAdapter(adapterOptions);
    default: {
      const unknown: never = kind;
      throw new Error(`unknown provider kind: ${String(unknown)}`);
    }
  }
}
