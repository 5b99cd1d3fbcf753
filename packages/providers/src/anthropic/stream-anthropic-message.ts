import type { GenerateRequest, StreamEvent } from '@switchyard/spec';
import { openEventStream, parseEventData, type StreamOptions } from '../common/open-event-stream.ts';
import { isRecord } from '../common/parse-json-body.ts';
import { mapAnthropicError } from './map-anthropic-error.ts';
import { parseAnthropicMessage } from './parse-anthropic-message.ts';
import { responseToolName } from './to-anthropic-request-body.ts';

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: unknown; name: string; json: string; toolIndex: number }
  | { type: 'other'; block: unknown };

/**
 * A streamed Messages API call (`stream: true`): `message_start`, then per content block
 * `content_block_start`, its deltas (`text_delta`, `input_json_delta` for tool_use) and
 * `content_block_stop`, then `message_delta` (stop reason, output tokens) and `message_stop`.
 * Text deltas are yielded as `delta`s and tool_use blocks as `tool_call_delta`s (numbered in the
 * order the calls start, as OpenAI numbers them); the forced tool of a structured answer is
 * the answer itself, so its JSON is yielded as text. An `error` event, or a stream that ends
 * before `message_stop`, is a `ProviderError`. The rebuilt message is checked by the same
 * parser as a non-streamed one.
 */
export async function* streamAnthropicMessage(
  options: StreamOptions,
  request: GenerateRequest,
): AsyncGenerator<StreamEvent> {
  const stream = await openEventStream(
    { ...options, body: { ...options.body, stream: true } },
    request,
    mapAnthropicError,
  );
  const formatTool = responseToolName(request.responseFormat);
  const blocks: Block[] = [];
  let message: Record<string, unknown> = {};
  let usage: Record<string, unknown> = {};
  let stopReason: unknown = null;
  let toolCount = 0;
  let stopped = false;
  for await (const { data } of stream.events) {
    const event = parseEventData(stream, data);
    switch (event.type) {
      case 'message_start':
        if (isRecord(event.message)) message = event.message;
        if (isRecord(message.usage)) usage = { ...message.usage };
        break;
      case 'content_block_start': {
        const block = isRecord(event.content_block) ? event.content_block : {};
        const index = Number(event.index);
        if (block.type === 'text') blocks[index] = { type: 'text', text: String(block.text ?? '') };
        else if (block.type === 'tool_use' && typeof block.name === 'string') {
          const isAnswer = block.name === formatTool;
          blocks[index] = {
            type: 'tool_use',
            id: block.id,
            name: block.name,
            json: '',
            toolIndex: isAnswer ? -1 : toolCount,
          };
          if (!isAnswer) {
            const start: StreamEvent = { type: 'tool_call_delta', index: toolCount, name: block.name };
            if (typeof block.id === 'string') start.id = block.id;
            toolCount += 1;
            yield start;
          }
        } else blocks[index] = { type: 'other', block };
        break;
      }
      case 'content_block_delta': {
        const block = blocks[Number(event.index)];
        const delta = isRecord(event.delta) ? event.delta : {};
        if (block?.type === 'text' && delta.type === 'text_delta' && typeof delta.text === 'string') {
          block.text += delta.text;
          if (delta.text !== '') yield { type: 'delta', text: delta.text };
        } else if (block?.type === 'tool_use' && delta.type === 'input_json_delta') {
          const piece = typeof delta.partial_json === 'string' ? delta.partial_json : '';
          block.json += piece;
          if (piece === '') break;
          if (block.toolIndex < 0) yield { type: 'delta', text: piece };
          else yield { type: 'tool_call_delta', index: block.toolIndex, arguments: piece };
        }
        break;
      }
      case 'message_delta':
        if (isRecord(event.delta) && event.delta.stop_reason) stopReason = event.delta.stop_reason;
        if (isRecord(event.usage)) usage = { ...usage, ...event.usage };
        break;
      case 'message_stop':
        stopped = true;
        break;
      case 'error':
        throw mapAnthropicError(stream.context(200, data));
      default:
        // `ping` and event types added later carry nothing the answer needs.
        break;
    }
  }
  if (!stopped) throw stream.badResponse('the stream ended before message_stop');
  const content = blocks.filter(Boolean).map((block) => {
    if (block.type === 'text') return { type: 'text', text: block.text };
    if (block.type === 'other') return block.block;
    const input = parseJson(block.json);
    if (input === undefined)
      throw stream.badResponse(`the input of tool_use ${block.name} is not a JSON object`);
    return { type: 'tool_use', id: block.id, name: block.name, input };
  });
  const rebuilt = { ...message, type: 'message', content, stop_reason: stopReason, usage };
  yield {
    type: 'done',
    result: parseAnthropicMessage(stream.context(200, JSON.stringify(rebuilt)), request),
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
