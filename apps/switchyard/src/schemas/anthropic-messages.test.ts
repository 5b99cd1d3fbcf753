import { describe, expect, it } from 'vitest';
import { findUnsupported, MessagesBody } from './anthropic-messages.ts';

const valid = { model: 'main', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };

describe('findUnsupported', () => {
  it('accepts the fields it carries and ignores the ones that do not change the answer', () => {
    expect(findUnsupported(valid)).toBeUndefined();
    expect(
      findUnsupported({ ...valid, service_tier: 'auto', cache_control: { type: 'ephemeral' } }),
    ).toBeUndefined();
  });

  it('names a field that would change the answer', () => {
    expect(findUnsupported({ ...valid, top_k: 5 })).toEqual({
      code: 'unsupported_field',
      field: 'top_k',
      message: 'top_k is not supported',
    });
    expect(findUnsupported({ ...valid, thinking: { type: 'enabled' } })?.field).toBe('thinking');
    expect(findUnsupported({ ...valid, output_config: { effort: 'high' } })?.field).toBe(
      'output_config.effort',
    );
  });

  it('names content blocks and server tools it cannot carry', () => {
    const document = {
      ...valid,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Read:' },
            { type: 'document', source: {} },
          ],
        },
      ],
    };
    expect(findUnsupported(document)).toMatchObject({
      code: 'unsupported_content',
      field: 'messages[0].content[1].type',
    });
    const nested = {
      ...valid,
      messages: [
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'search_result' }] }],
        },
      ],
    };
    expect(findUnsupported(nested)?.field).toBe('messages[0].content[0].content[0].type');
    const search = { ...valid, tools: [{ type: 'web_search_20250305', name: 'web_search' }] };
    expect(findUnsupported(search)).toMatchObject({ code: 'unsupported_tool', field: 'tools[0].type' });
  });
});

describe('MessagesBody', () => {
  it('needs max_tokens, as Anthropic does', () => {
    expect(MessagesBody.safeParse(valid).success).toBe(true);
    const { max_tokens: _, ...without } = valid;
    expect(MessagesBody.safeParse(without).success).toBe(false);
  });

  it('takes only https image URLs', () => {
    const image = (url: string) => ({
      ...valid,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url } }] }],
    });
    expect(MessagesBody.safeParse(image('https://example.org/a.png')).success).toBe(true);
    expect(MessagesBody.safeParse(image('file:///etc/passwd')).success).toBe(false);
  });
});
