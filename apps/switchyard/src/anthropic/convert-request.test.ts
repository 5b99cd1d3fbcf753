import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import { MessagesBody } from '../schemas/anthropic-messages.ts';
import { toJobInput } from './convert-request.ts';

const parse = (body: Record<string, unknown>) =>
  MessagesBody.parse({ model: 'main', max_tokens: 100, ...body });

describe('toJobInput', () => {
  it('puts the system prompt first and carries the sampling fields under their job names', () => {
    const input = toJobInput(
      parse({
        system: [
          { type: 'text', text: 'Be brief.' },
          { type: 'text', text: 'Answer in French.' },
        ],
        messages: [{ role: 'user', content: 'Hello' }],
        temperature: 0.3,
        top_p: 0.8,
        stop_sequences: ['END'],
        metadata: { user_id: 'u-1' },
      }),
    );
    expect(input).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.\n\nAnswer in French.' },
        { role: 'user', content: 'Hello' },
      ],
      maxTokens: 100,
      temperature: 0.3,
      topP: 0.8,
      stop: ['END'],
      user: 'u-1',
    });
  });

  it('turns image blocks into image parts: base64 as a data URL, a URL as itself', () => {
    const input = toJobInput(
      parse({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare these.' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'url', url: 'https://example.org/cat.jpg' } },
            ],
          },
        ],
      }),
    );
    expect(input.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
          { type: 'image', url: 'https://example.org/cat.jpg' },
        ],
      },
    ]);
  });

  it('turns tool_use into tool calls and tool_result into tool messages before the rest of the turn', () => {
    const input = toJobInput(
      parse({
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Looking.' },
              { type: 'tool_use', id: 't1', name: 'weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 't2', name: 'weather', input: { city: 'Rome' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'sunny' }] },
              { type: 'tool_result', tool_use_id: 't2', content: 'no data', is_error: true },
              { type: 'text', text: 'And tomorrow?' },
            ],
          },
        ],
      }),
    );
    expect(input.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Looking.',
        toolCalls: [
          { id: 't1', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 't2', name: 'weather', arguments: '{"city":"Rome"}' },
        ],
      },
      { role: 'tool', toolCallId: 't1', name: 'weather', content: 'sunny' },
      { role: 'tool', toolCallId: 't2', name: 'weather', content: 'Error: no data' },
      { role: 'user', content: 'And tomorrow?' },
    ]);
  });

  it('maps tools, tool_choice and structured output onto the contract', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const base = { messages: [{ role: 'user', content: 'Hi' }] };
    const tools = [{ name: 'weather', description: 'Weather', input_schema: schema, strict: true }];
    expect(toJobInput(parse({ ...base, tools }))).toMatchObject({
      tools: [{ name: 'weather', description: 'Weather', parameters: schema, strict: true }],
    });
    const choices = [
      [{ type: 'auto' }, 'auto', undefined],
      [{ type: 'any', disable_parallel_tool_use: true }, 'required', false],
      [{ type: 'tool', name: 'weather' }, { name: 'weather' }, undefined],
      [{ type: 'none' }, 'none', undefined],
    ] as const;
    for (const [tool_choice, toolChoice, parallelToolCalls] of choices) {
      const input = toJobInput(parse({ ...base, tools, tool_choice }));
      expect(input.toolChoice).toEqual(toolChoice);
      expect(input.parallelToolCalls).toBe(parallelToolCalls);
    }
    expect(
      toJobInput(parse({ ...base, output_config: { format: { type: 'json_schema', schema } } }))
        .responseFormat,
    ).toEqual({ type: 'json_schema', name: 'output', schema, strict: true });
  });

  it('refuses a tool_result that answers no earlier tool_use, naming the field', () => {
    const body = parse({
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'ghost', content: 'x' }] }],
    });
    const error = (() => {
      try {
        return toJobInput(body);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'invalid_request',
      details: { field: 'messages[0].content[0].tool_use_id' },
    });
  });

  it('refuses blocks in the wrong role', () => {
    const body = parse({
      messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't1', name: 'weather', input: {} }] }],
    });
    expect(() => toJobInput(body)).toThrow('tool_use blocks belong in assistant messages');
  });
});
