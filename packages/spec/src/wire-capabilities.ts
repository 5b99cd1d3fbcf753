import type { Capability, ProviderKind } from './provider-adapter.ts';

/**
 * The capabilities each wire format carries: what its adapter can send and read back, and so
 * what a model can do when its configuration declares no `capabilities`. A model may have fewer
 * (a text-only model behind an OpenAI-compatible server); it then declares its own list, and
 * route plans leave it out of requests that need the rest. The one table: configuration
 * defaults and the providers package both read it here.
 */
export const WIRE_CAPABILITIES: Readonly<Record<ProviderKind, readonly Capability[]>> = {
  openai: ['tools', 'json_schema', 'vision', 'streaming'],
  anthropic: ['tools', 'json_schema', 'vision', 'streaming'],
  gemini: ['tools', 'json_schema', 'vision', 'streaming'],
};
