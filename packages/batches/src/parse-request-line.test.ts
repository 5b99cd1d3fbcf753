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
        messages: [{ role: 'user', content: 'hi' }],
        maxTokens: 64,
        temperature: 0.2,
        stop: ['x'],
      },
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
    [line({}, { messages: [{ role: 'tool', content: 'x' }] }), /^body.messages\[0\].role/],
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
