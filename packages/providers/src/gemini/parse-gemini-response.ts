import type { FinishReason, GenerateRequest, GenerateResult, ToolCall } from '@switchyard/spec';
import { checkFinishReason } from '../common/check-finish-reason.ts';
import { createProviderError, type ResponseContext } from '../common/create-provider-error.ts';
import { isCount, isRecord, optionalString, parseJsonBody } from '../common/parse-json-body.ts';
import { isEmptyRateLimitHint } from '../common/parse-rate-limit-headers.ts';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.ts';

/** A 2xx generateContent body -> our result, or `bad_response` / `content_filtered`. */
export function parseGeminiResponse(context: ResponseContext, request: GenerateRequest): GenerateResult {
  const fail = (outcome: 'bad_response' | 'content_filtered', detail: string) =>
    createProviderError(context, { outcome, detail });
  const body = parseJsonBody(context.response.text);
  if (!isRecord(body)) throw fail('bad_response', 'response body is not a JSON object');

  const usage = body.usageMetadata;
  if (!isRecord(usage) || !isCount(usage.promptTokenCount)) {
    throw fail('bad_response', 'response has no usageMetadata.promptTokenCount');
  }
  const blockReason = isRecord(body.promptFeedback)
    ? optionalString(body.promptFeedback.blockReason)
    : undefined;
  if (blockReason) throw fail('content_filtered', `the prompt was blocked (${blockReason})`);
  const candidate = Array.isArray(body.candidates) ? body.candidates[0] : undefined;
  if (candidate === undefined) throw fail('content_filtered', 'the response has no candidates');
  if (!isRecord(candidate)) throw fail('bad_response', 'candidates[0] is not an object');

  const parts =
    isRecord(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
  // Thought summaries (`thought: true`) are not the answer text.
  const content = parts
    .filter((part) => isRecord(part) && typeof part.text === 'string' && part.thought !== true)
    .map((part) => (part as { text: string }).text)
    .join('');
  const toolCalls: ToolCall[] = [];
  for (const part of parts) {
    if (!isRecord(part) || !isRecord(part.functionCall)) continue;
    const call = part.functionCall;
    if (typeof call.name !== 'string') throw fail('bad_response', 'a functionCall part has no name');
    // Gemini gives calls no id (newer models sometimes do): number them in answer order.
    toolCalls.push({
      id: optionalString(call.id) ?? `call_${toolCalls.length}`,
      name: call.name,
      arguments: JSON.stringify(isRecord(call.args) ? call.args : {}),
    });
  }
  let finishReason: FinishReason = mapGeminiFinishReason(candidate.finishReason);
  if (toolCalls.length > 0 && finishReason === 'stop') finishReason = 'tool_calls';
  const outputTokens = isCount(usage.candidatesTokenCount) ? usage.candidatesTokenCount : 0;
  const thinkingTokens = isCount(usage.thoughtsTokenCount) ? usage.thoughtsTokenCount : 0;
  if (finishReason === 'content_filter' && content.trim() === '') {
    throw fail('content_filtered', `the candidate was blocked (${String(candidate.finishReason)})`);
  }
  // maxOutputTokens bounds thinking and answer tokens together, and both are billed as output.
  checkFinishReason(context, request, {
    content,
    finishReason,
    countedOutputTokens: outputTokens + thinkingTokens,
  });

  const result: GenerateResult = {
    content,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    finishReason,
    usage: {
      inputTokens: usage.promptTokenCount,
      outputTokens: outputTokens + thinkingTokens,
      // promptTokenCount already holds the cached tokens; thoughts are reported apart and added above.
      ...(isCount(usage.cachedContentTokenCount) ? { cachedInputTokens: usage.cachedContentTokenCount } : {}),
      ...(isCount(usage.thoughtsTokenCount) ? { reasoningTokens: usage.thoughtsTokenCount } : {}),
    },
    model: optionalString(body.modelVersion) ?? request.model,
  };
  const responseId = optionalString(body.responseId);
  if (responseId) result.responseId = responseId;
  if (!isEmptyRateLimitHint(context.rateLimit)) result.rateLimit = context.rateLimit;
  return result;
}
