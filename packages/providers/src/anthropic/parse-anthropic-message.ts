import type { GenerateRequest, GenerateResult } from '@switchyard/spec';
import { checkFinishReason } from '../shared/check-finish-reason.ts';
import { createProviderError, type ResponseContext } from '../shared/create-provider-error.ts';
import { isCount, isRecord, optionalString, parseJsonBody } from '../shared/parse-json-body.ts';
import { isEmptyRateLimitHint } from '../shared/parse-rate-limit-headers.ts';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.ts';

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

  // Text blocks only: thinking, tool_use and server-tool blocks are not the answer text.
  const content = body.content
    .filter((block) => isRecord(block) && block.type === 'text' && typeof block.text === 'string')
    .map((block) => (block as { text: string }).text)
    .join('');
  const finishReason = mapAnthropicStopReason(body.stop_reason);
  checkFinishReason(context, request, {
    content,
    finishReason,
    countedOutputTokens: usage.output_tokens,
  });

  const result: GenerateResult = {
    content,
    finishReason,
    usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens },
    model: optionalString(body.model) ?? request.model,
  };
  const responseId = optionalString(body.id);
  if (responseId) result.responseId = responseId;
  if (!isEmptyRateLimitHint(context.rateLimit)) result.rateLimit = context.rateLimit;
  return result;
}
