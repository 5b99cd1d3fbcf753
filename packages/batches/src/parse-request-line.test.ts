import { describe, expect, it } from 'vitest';
import { parseRequestLine } from './parse-request-line.ts';

const line = (overrides: Record<string, unknown> = {}, body: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: 'a',
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'main', messages: [{ role: 'user', content: 'hi' }], ...body },
    ...overrides,
  });

describe('parseRequestLine', () => {
  it('maps a valid line onto a broker request', () => {
    expect(parseRequestLine(line({}, { max_tokens: 64, temperature: 0.2, stop: 'x' }))).toEqual({
      ok: true,
      request: {
        customId: 'a',
        model: 'main',
        input: { messages: [{ role: 'user', content: 'hi' }], maxTokens: 64, temperature: 0.2, stop: ['x'] },
      },
    });
  });

  it('maps tools, tool calls, images and a response format', () => {
    const parsed = parseRequestLine(
      line(
        {},
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is here?' },
                {
                  type: 'image_url',
                  image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
                },
              ],
            },
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'c1', type: 'function', function: { name: 'look', arguments: '{}' } }],
            },
            { role: 'tool', tool_call_id: 'c1', content: 'a cat' },
          ],
          tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }],
          tool_choice: 'auto',
          response_format: { type: 'json_schema', json_schema: { name: 'a', schema: {}, strict: true } },
          seed: 7,
        },
      ),
    );
    expect(parsed.ok && parsed.request.input).toEqual({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is here?' },
            { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
          ],
        },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'look', arguments: '{}' }] },
        { role: 'tool', content: 'a cat', toolCallId: 'c1', name: 'look' },
      ],
      tools: [{ name: 'look', parameters: { type: 'object' } }],
      toolChoice: 'auto',
      responseFormat: { type: 'json_schema', name: 'a', schema: {}, strict: true },
      seed: 7,
    });
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['[1]', /expected a JSON object/],
    [line({ custom_id: '' }), /^custom_id/],
    [line({ custom_id: 'x'.repeat(513) }), /^custom_id/],
    [line({ method: 'GET' }), /^method/],
    [line({ url: '/v1/embeddings' }), /^url/],
    [line({ body: null }), /^body: /],
    [line({}, { model: '' }), /^body.model/],
    [line({}, { messages: [] }), /^body.messages: /],
    [line({}, { messages: [{ role: 'tool', content: 'x' }] }), /^body.messages\[0\].tool_call_id/],
    [line({}, { messages: [{ role: 'robot', content: 'x' }] }), /^body.messages\[0\].role/],
    [line({}, { n: 2 }), /^body.n: only 1/],
    [line({}, { functions: [] }), /^body.functions/],
    [line({}, { colour: 'blue' }), /^body.colour: not a supported parameter/],
    [
      line(
        {},
        {
          messages: [
            { role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/a.png' } }] },
          ],
        },
      ),
      /^body.messages\[0\].content\[0\].image_url.url: expected an https URL/,
    ],
    [line({}, { messages: [{ role: 'user', content: [{ type: 'text' }] }] }), /^body.messages\[0\].content/],
    [line({}, { max_tokens: 0 }), /^body.max_tokens/],
    [line({}, { temperature: 3 }), /^body.temperature/],
    [line({}, { stream: true }), /^body.stream/],
  ])('refuses %s', (input, message) => {
    const parsed = parseRequestLine(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok === false && parsed.message).toMatch(message);
  });
});
