import type { Capability, ProviderKind } from '@switchyard/spec';

/**
 * What a model can do when its configuration declares no `capabilities`: what its provider's
 * wire format carries. All three formats carry tools, JSON schemas, images and streaming; a
 * model that lacks one (a text-only model behind an OpenAI-compatible server) declares its
 * own list, and route plans leave it out of requests that need the rest.
 */
export const WIRE_FORMAT_CAPABILITIES: Readonly<Record<ProviderKind, readonly Capability[]>> = {
  openai: ['tools', 'json_schema', 'vision', 'streaming'],
  anthropic: ['tools', 'json_schema', 'vision', 'streaming'],
  gemini: ['tools', 'json_schema', 'vision', 'streaming'],
};
