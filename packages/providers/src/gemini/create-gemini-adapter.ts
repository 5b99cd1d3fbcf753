import type { GenerateRequest, ProviderAdapter } from '@switchyard/spec';
import { type AdapterOptions, stripTrailingSlash } from '../shared/adapter-options.ts';
import { createHttpAdapter } from '../shared/create-http-adapter.ts';
import { convertToGeminiContents } from './convert-to-gemini-contents.ts';
import { mapGeminiError } from './map-gemini-error.ts';
import { parseGeminiResponse } from './parse-gemini-response.ts';

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

  return createHttpAdapter({
    ...options,
    kind: 'gemini',
    headers,
    url: (request) => {
      const model = encodeURIComponent(request.model.replace(/^models\//, ''));
      return `${baseUrl}/models/${model}:generateContent`;
    },
    toRequestBody,
    mapError: mapGeminiError,
    parse: parseGeminiResponse,
  });
}

function toRequestBody(request: GenerateRequest): Record<string, unknown> {
  const generationConfig = {
    maxOutputTokens: request.maxTokens,
    temperature: request.temperature,
    topP: request.topP,
    stopSequences: request.stop,
  };
  const hasConfig = Object.values(generationConfig).some((value) => value !== undefined);
  return { ...convertToGeminiContents(request.messages), ...(hasConfig ? { generationConfig } : {}) };
}
