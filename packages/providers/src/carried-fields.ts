import type { GenerationOptions, ProviderKind } from '@switchyard/spec';

/**
 * The `GenerationOptions` fields each wire format carries to the provider. An adapter leaves
 * every other field out of its request (Anthropic has no seed, penalties or logprobs; Gemini no
 * end-user field and no switch for parallel tool calls), so a caller that must not lose a field
 * refuses a target whose wire format is not listed here for it.
 */
export const CARRIED_FIELDS: Record<ProviderKind, readonly (keyof GenerationOptions)[]> = {
  openai: [
    'maxTokens',
    'temperature',
    'topP',
    'stop',
    'tools',
    'toolChoice',
    'parallelToolCalls',
    'responseFormat',
    'seed',
    'presencePenalty',
    'frequencyPenalty',
    'user',
    'logprobs',
    'topLogprobs',
  ],
  anthropic: [
    'maxTokens',
    'temperature',
    'topP',
    'stop',
    'tools',
    'toolChoice',
    'parallelToolCalls',
    'responseFormat',
    'user',
  ],
  gemini: [
    'maxTokens',
    'temperature',
    'topP',
    'stop',
    'tools',
    'toolChoice',
    'responseFormat',
    'seed',
    'presencePenalty',
    'frequencyPenalty',
    'logprobs',
    'topLogprobs',
  ],
};
