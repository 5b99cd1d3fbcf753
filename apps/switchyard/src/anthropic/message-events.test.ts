import type { JobResult } from '@switchyard/broker';
import { describe, expect, it } from 'vitest';
import { contentBlocksOf, stopReasonOf } from './convert-result.ts';
import { createMessageEvents, formatEvent, type MessageEvent } from './message-events.ts';

const result = (overrides: Partial<JobResult> = {}): JobResult => ({
  content: 'Hello there',
  finish_reason: 'stop',
  provider: 'p',
  model: 'm',
  usage: { input_tokens: 12, output_tokens: 3 },
  cost_usd: 0,
  latency_ms: 5,
  ...overrides,
});

const summary = (events: MessageEvent[]) =>
  events.map(({ event, data }) => {
    const delta = data.delta as Record<string, unknown> | undefined;
    const block = data.content_block as Record<string, unknown> | undefined;
    if (event === 'content_block_start') return `start ${data.index} ${block?.type}`;
    if (event === 'content_block_delta') return `delta ${data.index} ${delta?.text ?? delta?.partial_json}`;
    if (event === 'content_block_stop') return `stop ${data.index}`;
    if (event === 'message_delta') return `message_delta ${delta?.stop_reason}`;
    return event;
  });

describe('createMessageEvents', () => {
  it('relays text as one text block between message_start and message_stop', () => {
    const events = createMessageEvents({ id: 'msg_1', model: 'main' });
    const all = [...events.text('Hello'), ...events.text(' there'), ...events.finish(result())];
    expect(summary(all)).toEqual([
      'message_start',
      'start 0 text',
      'delta 0 Hello',
      'delta 0  there',
      'stop 0',
      'message_delta end_turn',
      'message_stop',
    ]);
    expect(all[0]!.data.message).toMatchObject({
      id: 'msg_1',
      model: 'main',
      role: 'assistant',
      content: [],
    });
    expect(all.at(-2)!.data.usage).toEqual({ input_tokens: 12, output_tokens: 3 });
  });

  it('gives each tool call a block of its own, in the order they start', () => {
    const events = createMessageEvents({ id: 'msg_2', model: 'main' });
    const all = [
      ...events.text('Checking.'),
      ...events.toolCall({ index: 0, id: 'a', name: 'weather' }),
      ...events.toolCall({ index: 0, arguments: '{"city":' }),
      ...events.toolCall({ index: 0, arguments: '"Paris"}' }),
      ...events.toolCall({ index: 1, id: 'b', name: 'time', arguments: '{}' }),
      ...events.finish(
        result({
          content: 'Checking.',
          finish_reason: 'tool_calls',
          tool_calls: [
            { id: 'a', name: 'weather', arguments: '{"city":"Paris"}' },
            { id: 'b', name: 'time', arguments: '{}' },
          ],
        }),
      ),
    ];
    expect(summary(all)).toEqual([
      'message_start',
      'start 0 text',
      'delta 0 Checking.',
      'stop 0',
      'start 1 tool_use',
      'delta 1 {"city":',
      'delta 1 "Paris"}',
      'stop 1',
      'start 2 tool_use',
      'delta 2 {}',
      'stop 2',
      'message_delta tool_use',
      'message_stop',
    ]);
    expect(all[4]!.data.content_block).toEqual({ type: 'tool_use', id: 'a', name: 'weather', input: {} });
  });

  it('sends at the end what the stream did not carry', () => {
    const events = createMessageEvents({ id: 'msg_3', model: 'main' });
    const all = events.finish(
      result({ tool_calls: [{ id: 'c', name: 'weather', arguments: '{"city":"Rome"}' }] }),
    );
    expect(summary(all)).toEqual([
      'message_start',
      'start 0 text',
      'delta 0 Hello there',
      'stop 0',
      'start 1 tool_use',
      'delta 1 {"city":"Rome"}',
      'stop 1',
      'message_delta tool_use',
      'message_stop',
    ]);
  });

  it('formats events as server-sent events', () => {
    expect(formatEvent({ event: 'message_stop', data: { type: 'message_stop' } })).toBe(
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });
});

describe('the answer in Anthropic terms', () => {
  it('maps finish reasons to stop reasons', () => {
    expect(stopReasonOf(result())).toBe('end_turn');
    expect(stopReasonOf(result({ finish_reason: 'length' }))).toBe('max_tokens');
    expect(stopReasonOf(result({ finish_reason: 'tool_calls' }))).toBe('tool_use');
    expect(stopReasonOf(result({ finish_reason: 'content_filter' }))).toBe('refusal');
    expect(stopReasonOf(result({ finish_reason: 'other' }))).toBe('end_turn');
  });

  it('parses tool arguments into tool_use input, and refuses arguments that are not an object', () => {
    expect(
      contentBlocksOf({ content: '', tool_calls: [{ id: 'a', name: 'f', arguments: '{"x":1}' }] }),
    ).toEqual([{ type: 'tool_use', id: 'a', name: 'f', input: { x: 1 } }]);
    expect(() =>
      contentBlocksOf({ content: '', tool_calls: [{ id: 'a', name: 'f', arguments: '[1' }] }),
    ).toThrow('not a JSON object');
  });
});
