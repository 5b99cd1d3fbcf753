import type { GenerateRequest, ProviderAdapter } from '@switchyard/spec';
import { type AdapterOptions, stripTrailingSlash } from '../common/adapter-options.ts';
import { createHttpAdapter } from '../common/create-http-adapter.ts';
import { mapGeminiError } from './map-gemini-error.ts';
import { parseGeminiResponse } from './parse-gemini-response.ts';
import { streamGeminiContent } from './stream-gemini-content.ts';
import { toGeminiRequestBody } from './to-gemini-request-body.ts';

/**
 * An adapter for Gemini `generateContent` (`POST {baseUrl}/models/{model}:generateContent`).
 * The key travels in the `x-goog-api-key` header, never in the URL, so it cannot leak
 * through logged URLs or error messages.
 */
export function createGeminiAdapter(options: AdapterOptions): ProviderAdapter {
  const baseUrl = stripTrailingSlash(options.baseUrl);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...options.headers,
    ...(options.apiKey ? { 'x-goog-api-key': options.apiKey } : {}),
  };

  const modelUrl = (request: GenerateRequest) =>
    `${baseUrl}/models/${encodeURIComponent(request.model.replace(/^models\//, ''))}`;
  const adapter = createHttpAdapter({
    ...options,
    kind: 'gemini',
    headers,
    url: (request) => `${modelUrl(request)}:generateContent`,
    toRequestBody: toGeminiRequestBody,
    mapError: mapGeminiError,
    parse: parseGeminiResponse,
  });
  return {
    ...adapter,
    stream: (request) =>
      streamGeminiContent(
        {
          ...options,
          url: `${modelUrl(request)}:streamGenerateContent?alt=sse`,
          headers,
          body: toGeminiRequestBody(request),
        },
        request,
      ),
  };
}
