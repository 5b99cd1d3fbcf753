import type { GenerateRequest, StreamEvent } from '@switchyard/spec';
import { openEventStream, parseEventData, type StreamOptions } from '../common/open-event-stream.ts';
import { isRecord } from '../common/parse-json-body.ts';
import { mapOpenAIError } from './map-openai-error.ts';
import { parseOpenAICompletion } from './parse-openai-completion.ts';

interface ToolCallPieces {
  id?: string;
  name: string;
  arguments: string;
}

/**
 * A streamed Chat Completions call (`stream: true`, usage in the last chunk). Yields each text
 * delta and each tool-call piece as it arrives (tool-call pieces pass through with their
 * `index`), then rebuilds the whole completion and checks it with the same parser as a
 * non-streamed answer (usage, finish reason, truncation). Errors are the adapter's errors.
 */
export async function* streamOpenAICompletion(
  options: StreamOptions,
  request: GenerateRequest,
): AsyncGenerator<StreamEvent> {
  const stream = await openEventStream(
    { ...options, body: { ...options.body, stream: true, stream_options: { include_usage: true } } },
    request,
    mapOpenAIError,
  );
  let content = '';
  let finishReason: unknown = null;
  let usage: unknown;
  let model: unknown;
  let responseId: unknown;
  let finished = false;
  const toolCalls: ToolCallPieces[] = [];
  for await (const { data } of stream.events) {
    if (data === '[DONE]') {
      finished = true;
      continue;
    }
    const chunk = parseEventData(stream, data);
    model ??= chunk.model;
    responseId ??= chunk.id;
    if (chunk.usage) usage = chunk.usage;
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (!isRecord(choice)) continue;
    if (choice.finish_reason) finishReason = choice.finish_reason;
    const delta = isRecord(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string' && delta.content !== '') {
      content += delta.content;
      yield { type: 'delta', text: delta.content };
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const piece of delta.tool_calls) {
        const event = toToolCallDelta(piece);
        if (!event) throw stream.badResponse('a tool_calls piece has no index');
        const call = toolCalls[event.index] ?? { name: '', arguments: '' };
        toolCalls[event.index] = call;
        if (event.id) call.id = event.id;
        if (event.name) call.name += event.name;
        if (event.arguments) call.arguments += event.arguments;
        yield event;
      }
    }
  }
  if (!finished) throw stream.badResponse('the stream ended before [DONE]');
  const message = {
    role: 'assistant',
    content,
    ...(toolCalls.length > 0
      ? {
          tool_calls: toolCalls.map((call, index) => ({
            id: call.id ?? `call_${index}`,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
        }
      : {}),
  };
  const completion = {
    id: responseId,
    model,
    choices: [{ index: 0, message, finish_reason: finishReason }],
    usage,
  };
  yield {
    type: 'done',
    result: parseOpenAICompletion(stream.context(200, JSON.stringify(completion)), request),
  };
}

function toToolCallDelta(piece: unknown): Extract<StreamEvent, { type: 'tool_call_delta' }> | undefined {
  if (!isRecord(piece) || typeof piece.index !== 'number') return undefined;
  const event: Extract<StreamEvent, { type: 'tool_call_delta' }> = {
    type: 'tool_call_delta',
    index: piece.index,
  };
  const fn = isRecord(piece.function) ? piece.function : {};
  if (typeof piece.id === 'string') event.id = piece.id;
  if (typeof fn.name === 'string') event.name = fn.name;
  if (typeof fn.arguments === 'string' && fn.arguments !== '') event.arguments = fn.arguments;
  return event;
}
