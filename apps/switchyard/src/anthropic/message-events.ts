import type { JobResult, JobStreamDelta } from '@switchyard/broker';
import { stopReasonOf } from './convert-result.ts';

/** One server-sent event of Anthropic's stream: its `event:` name and its `data:` object. */
export interface MessageEvent {
  event: string;
  data: Record<string, unknown>;
}

type ToolCallDelta = Extract<JobStreamDelta, { type: 'tool_call_delta' }>;

/**
 * Turns a job's stream (text deltas, tool-call pieces, then the result) into Anthropic's
 * events: `message_start`, then per content block `content_block_start`, its deltas
 * (`text_delta`, `input_json_delta`) and `content_block_stop`, then `message_delta` (stop
 * reason, usage) and `message_stop`. Blocks are numbered in the order they start, as the SDK
 * appends them; a tool call's pieces go to the block its first piece opened.
 */
export function createMessageEvents(message: { id: string; model: string }) {
  let started = false;
  let open: number | undefined;
  let openKind: 'text' | 'tool_use' | undefined;
  let blocks = 0;
  let textSent = false;
  const toolBlocks = new Map<number, number>();

  const start = (): MessageEvent[] => {
    if (started) return [];
    started = true;
    return [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            ...message,
            type: 'message',
            role: 'assistant',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        },
      },
    ];
  };
  const close = (): MessageEvent[] => {
    if (open === undefined) return [];
    const index = open;
    open = undefined;
    openKind = undefined;
    return [{ event: 'content_block_stop', data: { type: 'content_block_stop', index } }];
  };
  const openBlock = (block: Record<string, unknown>): MessageEvent[] => {
    const events = close();
    open = blocks++;
    openKind = block.type as 'text' | 'tool_use';
    events.push({
      event: 'content_block_start',
      data: { type: 'content_block_start', index: open, content_block: block },
    });
    return events;
  };
  const delta = (index: number, value: Record<string, unknown>): MessageEvent => ({
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index, delta: value },
  });

  const text = (piece: string): MessageEvent[] => {
    if (!piece) return start();
    const events = start();
    textSent = true;
    // Text after a tool call starts a block of its own: Anthropic's blocks never interleave.
    if (openKind !== 'text') events.push(...openBlock({ type: 'text', text: '' }));
    events.push(delta(open!, { type: 'text_delta', text: piece }));
    return events;
  };

  const toolCall = (piece: Omit<ToolCallDelta, 'type'>): MessageEvent[] => {
    const events = start();
    let index = toolBlocks.get(piece.index);
    if (index === undefined) {
      events.push(...openBlock({ type: 'tool_use', id: piece.id ?? '', name: piece.name ?? '', input: {} }));
      index = open!;
      toolBlocks.set(piece.index, index);
    }
    if (piece.arguments)
      events.push(delta(index, { type: 'input_json_delta', partial_json: piece.arguments }));
    return events;
  };

  /**
   * The last events. What the stream did not carry (an answer in one piece) is sent now;
   * `served` (who answered: Switchyard's extension) rides on `message_delta`.
   */
  const finish = (result: JobResult, served?: Record<string, unknown>): MessageEvent[] => {
    const events = start();
    if (!textSent && result.content) events.push(...text(result.content));
    for (const [index, call] of (result.tool_calls ?? []).entries()) {
      if (toolBlocks.has(index)) continue;
      events.push(...toolCall({ index, id: call.id, name: call.name, arguments: call.arguments }));
    }
    events.push(...close());
    events.push({
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: stopReasonOf(result), stop_sequence: null },
        usage: { input_tokens: result.usage.input_tokens, output_tokens: result.usage.output_tokens },
        ...(served ? { switchyard: served } : {}),
      },
    });
    events.push({ event: 'message_stop', data: { type: 'message_stop' } });
    return events;
  };

  return { start, text, toolCall, finish };
}

/** An event as server-sent event text. */
export const formatEvent = ({ event, data }: MessageEvent) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
