import type { ProviderConfig } from '@switchyard/config';
import type { GenerateRequest, GenerateResult } from '@switchyard/spec';

/**
 * `gen_ai.system` per wire format, as OpenTelemetry's GenAI semantic conventions name them.
 * An OpenAI-compatible provider other than OpenAI (Groq, a local server) speaks OpenAI's API;
 * `switchyard.provider` says which one it is.
 */
const SYSTEM_OF_KIND: Record<ProviderConfig['kind'], string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
};

/**
 * The request attributes of OpenTelemetry's GenAI semantic conventions for a provider call, so
 * LLM observability backends (Langfuse and others reading OTLP) show Switchyard's calls.
 * Never the prompt or the answer: spans carry no content.
 */
export function genAiRequestAttributes(provider: ProviderConfig, request: Omit<GenerateRequest, 'signal'>) {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': SYSTEM_OF_KIND[provider.kind],
    'gen_ai.provider.name': SYSTEM_OF_KIND[provider.kind],
    'gen_ai.request.model': request.model,
    ...(request.maxTokens !== undefined ? { 'gen_ai.request.max_tokens': request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { 'gen_ai.request.temperature': request.temperature } : {}),
    ...(request.topP !== undefined ? { 'gen_ai.request.top_p': request.topP } : {}),
  };
}

/** The response attributes of the same conventions, set when the call answered. */
export function genAiResponseAttributes(result: GenerateResult) {
  return {
    'gen_ai.response.model': result.model,
    'gen_ai.response.finish_reasons': [result.finishReason],
    'gen_ai.usage.input_tokens': result.usage.inputTokens,
    'gen_ai.usage.output_tokens': result.usage.outputTokens,
    ...(result.responseId ? { 'gen_ai.response.id': result.responseId } : {}),
  };
}
