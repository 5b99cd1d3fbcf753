import type { ProviderAdapter } from '@switchyard/spec';
import { type AdapterOptions, stripTrailingSlash } from '../common/adapter-options.ts';
import { createHttpAdapter } from '../common/create-http-adapter.ts';
import { mapAnthropicError } from './map-anthropic-error.ts';
import { parseAnthropicMessage } from './parse-anthropic-message.ts';
import { streamAnthropicMessage } from './stream-anthropic-message.ts';
import { toAnthropicRequestBody } from './to-anthropic-request-body.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

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

  const adapter = createHttpAdapter({
    ...options,
    kind: 'anthropic',
    headers,
    url: () => url,
    toRequestBody: toAnthropicRequestBody,
    mapError: mapAnthropicError,
    parse: parseAnthropicMessage,
  });
  return {
    ...adapter,
    stream: (request) =>
      streamAnthropicMessage({ ...options, url, headers, body: toAnthropicRequestBody(request) }, request),
  };
}
