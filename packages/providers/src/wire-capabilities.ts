import type { Capability, ProviderKind } from '@switchyard/spec';

/**
 * The capabilities each wire format carries: what its adapter can send and read back. A model
 * may have fewer (a text-only model behind a Chat Completions endpoint); its configuration then
 * says so, and this table is only the ceiling and the default.
 */
export const WIRE_CAPABILITIES: Record<ProviderKind, readonly Capability[]> = {
  openai: ['tools', 'json_schema', 'vision', 'streaming'],
  anthropic: ['tools', 'json_schema', 'vision', 'streaming'],
  gemini: ['tools', 'json_schema', 'vision', 'streaming'],
};
