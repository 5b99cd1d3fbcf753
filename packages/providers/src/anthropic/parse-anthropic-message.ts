import type { FinishReason, GenerateRequest, GenerateResult, TokenUsage, ToolCall } from '@switchyard/spec';
import { checkFinishReason } from '../common/check-finish-reason.ts';
import { createProviderError, type ResponseContext } from '../common/create-provider-error.ts';
import { isCount, isRecord, optionalString, parseJsonBody } from '../common/parse-json-body.ts';
import { isEmptyRateLimitHint } from '../common/parse-rate-limit-headers.ts';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.ts';
import { responseToolName } from './to-anthropic-request-body.ts';

/** A 2xx Messages API body -> our result, or `bad_response` / `content_filtered`. */
export function parseAnthropicMessage(context: ResponseContext, request: GenerateRequest): GenerateResult {
  const badResponse = (detail: string) => createProviderError(context, { outcome: 'bad_response', detail });
  const body = parseJsonBody(context.response.text);
  if (!isRecord(body) || body.type !== 'message')
    throw badResponse('response body is not a Messages API message');
  if (!Array.isArray(body.content)) throw badResponse('response has no content array');
  const usage = body.usage;
  if (!isRecord(usage) || !isCount(usage.input_tokens) || !isCount(usage.output_tokens)) {
    throw badResponse('response has no usage.input_tokens / usage.output_tokens');
  }

  // Text and tool_use blocks: thinking and server-tool blocks are not the answer. A structured
  // answer arrives as a call of its forced tool, whose input is the JSON answer.
  const formatTool = responseToolName(request.responseFormat);
  let content = '';
  const toolCalls: ToolCall[] = [];
  let answeredInFormat = false;
  for (const block of body.content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') content += block.text;
    if (block.type !== 'tool_use') continue;
    if (typeof block.name !== 'string' || !isRecord(block.input)) {
      throw badResponse('a tool_use block has no name or input');
    }
    if (block.name === formatTool) {
      content = JSON.stringify(block.input);
      answeredInFormat = true;
      continue;
    }
    toolCalls.push({
      id: optionalString(block.id) ?? `call_${toolCalls.length}`,
      name: block.name,
      arguments: JSON.stringify(block.input),
    });
  }
  let finishReason: FinishReason = mapAnthropicStopReason(body.stop_reason);
  if (answeredInFormat && toolCalls.length === 0 && finishReason === 'tool_calls') finishReason = 'stop';
  checkFinishReason(context, request, {
    content,
    finishReason,
    countedOutputTokens: usage.output_tokens,
  });

  const result: GenerateResult = {
    content,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    finishReason,
    usage: readAnthropicUsage(
      usage as Record<string, unknown> & { input_tokens: number; output_tokens: number },
    ),
    model: optionalString(body.model) ?? request.model,
  };
  const responseId = optionalString(body.id);
  if (responseId) result.responseId = responseId;
  if (!isEmptyRateLimitHint(context.rateLimit)) result.rateLimit = context.rateLimit;
  return result;
}

/**
 * `usage` -> our usage. Anthropic's `input_tokens` counts only the input after the last cache
 * breakpoint: tokens read from the cache (`cache_read_input_tokens`) and written to it
 * (`cache_creation_input_tokens`) are reported beside it, so they are added to make
 * `inputTokens` every input token, as the other formats count it. Thinking tokens are part of
 * `output_tokens` and not reported apart.
 */
function readAnthropicUsage(
  usage: Record<string, unknown> & { input_tokens: number; output_tokens: number },
): TokenUsage {
  const cacheRead = isCount(usage.cache_read_input_tokens) ? usage.cache_read_input_tokens : 0;
  const cacheWrite = isCount(usage.cache_creation_input_tokens) ? usage.cache_creation_input_tokens : 0;
  const result: TokenUsage = {
    inputTokens: usage.input_tokens + cacheRead + cacheWrite,
    outputTokens: usage.output_tokens,
  };
  if (isCount(usage.cache_read_input_tokens)) result.cachedInputTokens = cacheRead;
  if (isCount(usage.cache_creation_input_tokens)) result.cacheWriteTokens = cacheWrite;
  return result;
}
