import type { ProviderAdapter } from '@switchyard/spec';
import { type AdapterOptions, stripTrailingSlash } from '../common/adapter-options.ts';
import { createHttpAdapter } from '../common/create-http-adapter.ts';
import { mapOpenAIError } from './map-openai-error.ts';
import { parseOpenAICompletion } from './parse-openai-completion.ts';
import { streamOpenAICompletion } from './stream-openai-completion.ts';
import { toOpenAIRequestBody } from './to-openai-request-body.ts';

/**
 * An adapter for any Chat Completions endpoint: OpenAI, Groq, Mistral, OpenRouter,
 * DeepSeek, Qwen, Cerebras, Ollama, vLLM. Presets differ only in `baseUrl` and headers.
 */
export function createOpenAICompatibleAdapter(options: AdapterOptions): ProviderAdapter {
  const url = `${stripTrailingSlash(options.baseUrl)}/chat/completions`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...options.headers,
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
  };

  const adapter = createHttpAdapter({
    ...options,
    kind: 'openai',
    headers,
    url: () => url,
    toRequestBody: toOpenAIRequestBody,
    mapError: mapOpenAIError,
    parse: parseOpenAICompletion,
  });
  return {
    ...adapter,
    stream: (request) =>
      streamOpenAICompletion({ ...options, url, headers, body: toOpenAIRequestBody(request) }, request),
  };
}
