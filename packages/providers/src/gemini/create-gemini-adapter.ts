import type { GenerateRequest, GenerateResult, ProviderAdapter } from '@switchyard/spec';
import { type AdapterOptions, stripTrailingSlash } from '../shared/adapter-options.ts';
import { parseRateLimitHeaders } from '../shared/parse-rate-limit-headers.ts';
import { postJson } from '../shared/post-json.ts';
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

  return {
    id: options.id,
    kind: 'gemini',
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const model = encodeURIComponent(request.model.replace(/^models\//, ''));
      const response = await postJson({
        provider: options.id,
        url: `${baseUrl}/models/${model}:generateContent`,
        headers,
        body: toRequestBody(request),
        timeoutMs: request.timeoutMs ?? options.timeoutMs,
        signal: request.signal,
        fetch: options.fetch,
      });
      const context = {
        provider: options.id,
        apiKey: options.apiKey,
        response,
        rateLimit: parseRateLimitHeaders(response.headers, response.receivedAt),
      };
      if (response.status < 200 || response.status > 299) throw mapGeminiError(context);
      return parseGeminiResponse(context, request);
    },
  };
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
