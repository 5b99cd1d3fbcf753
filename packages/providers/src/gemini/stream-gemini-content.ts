import type { GenerateRequest, StreamEvent } from '@switchyard/spec';
import { openEventStream, parseEventData, type StreamOptions } from '../common/open-event-stream.ts';
import { isRecord } from '../common/parse-json-body.ts';
import { mapGeminiError } from './map-gemini-error.ts';
import { parseGeminiResponse } from './parse-gemini-response.ts';

/**
 * A streamed generateContent call (`:streamGenerateContent?alt=sse`): each event is a whole
 * GenerateContentResponse carrying the next parts. Text parts are yielded as `delta`s, and each
 * `functionCall` part, which Gemini sends whole, as one `tool_call_delta` with its name and all
 * its arguments (ids `call_<n>`, as the non-streamed parser numbers them). The last candidate
 * carries the finish reason; a stream that ends without one, or an error object in the stream,
 * is a `ProviderError`. The rebuilt response is checked by the same parser as a non-streamed one.
 */
export async function* streamGeminiContent(
  options: StreamOptions,
  request: GenerateRequest,
): AsyncGenerator<StreamEvent> {
  const stream = await openEventStream(options, request, mapGeminiError);
  const parts: Record<string, unknown>[] = [];
  let finishReason: unknown;
  let last: Record<string, unknown> = {};
  let promptFeedback: unknown;
  let toolCount = 0;
  for await (const { data } of stream.events) {
    const chunk = parseEventData(stream, data);
    if (isRecord(chunk.error)) throw mapGeminiError(stream.context(200, data));
    last = chunk;
    promptFeedback ??= chunk.promptFeedback;
    const candidate = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
    if (!isRecord(candidate)) continue;
    if (candidate.finishReason) finishReason = candidate.finishReason;
    const content = isRecord(candidate.content) ? candidate.content : {};
    for (const part of Array.isArray(content.parts) ? content.parts : []) {
      if (!isRecord(part)) continue;
      parts.push(part);
      if (typeof part.text === 'string' && part.thought !== true && part.text !== '') {
        yield { type: 'delta', text: part.text };
      } else if (isRecord(part.functionCall) && typeof part.functionCall.name === 'string') {
        const call = part.functionCall;
        yield {
          type: 'tool_call_delta',
          index: toolCount,
          id: typeof call.id === 'string' ? call.id : `call_${toolCount}`,
          name: call.name as string,
          arguments: JSON.stringify(isRecord(call.args) ? call.args : {}),
        };
        toolCount += 1;
      }
    }
  }
  if (finishReason === undefined && promptFeedback === undefined) {
    throw stream.badResponse('the stream ended before a finish reason');
  }
  const rebuilt = {
    candidates: finishReason === undefined ? [] : [{ content: { role: 'model', parts }, finishReason }],
    promptFeedback,
    usageMetadata: last.usageMetadata,
    modelVersion: last.modelVersion,
    responseId: last.responseId,
  };
  yield { type: 'done', result: parseGeminiResponse(stream.context(200, JSON.stringify(rebuilt)), request) };
}
