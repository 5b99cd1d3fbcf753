import type { GenerateRequest, ProviderAdapter } from '@switchyard/spec';
import { type AdapterOptions, stripTrailingSlash } from '../shared/adapter-options.ts';
import { createHttpAdapter } from '../shared/create-http-adapter.ts';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages.ts';
import { mapAnthropicError } from './map-anthropic-error.ts';
import { parseAnthropicMessage } from './parse-anthropic-message.ts';

export const ANTHROPIC_VERSION = '2023-06-01';
/** The Messages API requires max_tokens; this is sent when the request has none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4_096;

/** An adapter for the Anthropic Messages API (`POST {baseUrl}/v1/messages`). */
export function createAnthropicAdapter(options: AdapterOptions): ProviderAdapter {
  const url = `${stripTrailingSlash(options.baseUrl)}/v1/messages`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
    ...options.headers,
    ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
  };

  return createHttpAdapter({
    ...options,
    kind: 'anthropic',
    headers,
    url: () => url,
    toRequestBody,
    mapError: mapAnthropicError,
    parse: parseAnthropicMessage,
  });
}

function toRequestBody(request: GenerateRequest): Record<string, unknown> {
  const { system, messages } = convertToAnthropicMessages(request.messages);
  return {
    model: request.model,
    system,
    messages,
    max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    temperature: request.temperature,
    top_p: request.topP,
    stop_sequences: request.stop,
  };
}
