import type { GenerateRequest, GenerateResult, TokenUsage, ToolCall } from '@switchyard/spec';
import { checkFinishReason } from '../common/check-finish-reason.ts';
import { createProviderError, type ResponseContext } from '../common/create-provider-error.ts';
import { isCount, isRecord, optionalString, parseJsonBody } from '../common/parse-json-body.ts';
import { isEmptyRateLimitHint } from '../common/parse-rate-limit-headers.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';

/** A 2xx Chat Completions body -> our result, or `bad_response` / `content_filtered`. */
export function parseOpenAICompletion(context: ResponseContext, request: GenerateRequest): GenerateResult {
  const badResponse = (detail: string) => createProviderError(context, { outcome: 'bad_response', detail });
  const body = parseJsonBody(context.response.text);
  if (!isRecord(body)) throw badResponse('response body is not a JSON object');

  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(choice) || !isRecord(choice.message)) throw badResponse('response has no choices[0].message');
  const { message } = choice;
  if (typeof message.content !== 'string' && message.content !== null && message.content !== undefined) {
    throw badResponse('choices[0].message.content is not a string');
  }
  const usage = body.usage;
  if (!isRecord(usage) || !isCount(usage.prompt_tokens) || !isCount(usage.completion_tokens)) {
    throw badResponse('response has no usage.prompt_tokens / usage.completion_tokens');
  }

  // A structured-output refusal (`message.refusal`) is the model declining, like a filter stop.
  const refused = typeof message.refusal === 'string' && message.refusal !== '' && !message.content;
  const content = typeof message.content === 'string' ? message.content : '';
  const toolCalls = readToolCalls(message.tool_calls);
  if (toolCalls === undefined) throw badResponse('choices[0].message.tool_calls is malformed');
  let finishReason = refused ? 'content_filter' : mapOpenAIFinishReason(choice.finish_reason);
  // Some compatible servers (Ollama, older vLLM) answer calls with `stop`: the calls decide.
  if (toolCalls.length > 0 && finishReason === 'stop') finishReason = 'tool_calls';
  checkFinishReason(context, request, {
    content,
    finishReason,
    countedOutputTokens: usage.completion_tokens,
  });

  const result: GenerateResult = {
    content,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    finishReason,
    usage: readOpenAIUsage(usage as { prompt_tokens: number; completion_tokens: number }),
    model: optionalString(body.model) ?? request.model,
  };
  const responseId = optionalString(body.id);
  if (responseId) result.responseId = responseId;
  if (!isEmptyRateLimitHint(context.rateLimit)) result.rateLimit = context.rateLimit;
  return result;
}

/**
 * `usage` -> our usage. `prompt_tokens` already holds the cached tokens
 * (`prompt_tokens_details.cached_tokens`) and `completion_tokens` the reasoning tokens
 * (`completion_tokens_details.reasoning_tokens`), so the parts are copied, not added.
 */
function readOpenAIUsage(
  usage: Record<string, unknown> & { prompt_tokens: number; completion_tokens: number },
): TokenUsage {
  const result: TokenUsage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  // DeepSeek reports its cache hits as `prompt_cache_hit_tokens`.
  const cached = isRecord(usage.prompt_tokens_details)
    ? usage.prompt_tokens_details.cached_tokens
    : usage.prompt_cache_hit_tokens;
  const reasoning = isRecord(usage.completion_tokens_details)
    ? usage.completion_tokens_details.reasoning_tokens
    : undefined;
  if (isCount(cached)) result.cachedInputTokens = cached;
  if (isCount(reasoning)) result.reasoningTokens = reasoning;
  return result;
}

/** `message.tool_calls` -> our tool calls; undefined when present but not well-formed. */
function readToolCalls(value: unknown): ToolCall[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const calls: ToolCall[] = [];
  for (const call of value) {
    if (!isRecord(call) || !isRecord(call.function) || typeof call.function.name !== 'string')
      return undefined;
    const args = call.function.arguments;
    calls.push({
      id: optionalString(call.id) ?? `call_${calls.length}`,
      name: call.function.name,
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    });
  }
  return calls;
}
