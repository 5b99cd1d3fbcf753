import type { GenerateRequest, GenerateResult, ProviderAdapter } from '@switchyard/spec';
import { type AdapterOptions, stripTrailingSlash } from '../shared/adapter-options.ts';
import { parseRateLimitHeaders } from '../shared/parse-rate-limit-headers.ts';
import { postJson } from '../shared/post-json.ts';
import { convertToOpenAIMessages } from './convert-to-openai-messages.ts';
import { mapOpenAIError } from './map-openai-error.ts';
import { parseOpenAICompletion } from './parse-openai-completion.ts';

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

  return {
    id: options.id,
    kind: 'openai',
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const response = await postJson({
        provider: options.id,
        url,
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
      if (response.status < 200 || response.status > 299) throw mapOpenAIError(context);
      return parseOpenAICompletion(context, request);
    },
  };
}

function toRequestBody(request: GenerateRequest): Record<string, unknown> {
  return {
    model: request.model,
    messages: convertToOpenAIMessages(request.messages),
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: request.stop,
  };
}
