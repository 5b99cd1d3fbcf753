import type { ChatMessage, ContentPart } from '@switchyard/spec';

type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIChatMessage =
  | { role: 'system' | 'user'; content: string | OpenAIContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string };

/**
 * Chat Completions takes our messages almost as they are: image parts become `image_url`
 * parts, an assistant's tool calls `tool_calls`, and a tool message answers its call by
 * `tool_call_id`. Plain text stays a string, as most OpenAI-compatible servers expect.
 */
export function convertToOpenAIMessages(messages: readonly ChatMessage[]): OpenAIChatMessage[] {
  return messages.map((message): OpenAIChatMessage => {
    switch (message.role) {
      case 'assistant': {
        const text = typeof message.content === 'string' ? message.content : textOnly(message.content);
        if (!message.toolCalls?.length) return { role: 'assistant', content: text };
        return {
          role: 'assistant',
          content: text === '' ? null : text,
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
        };
      }
      case 'tool':
        return {
          role: 'tool',
          content: typeof message.content === 'string' ? message.content : textOnly(message.content),
          tool_call_id: message.toolCallId ?? '',
        };
      default:
        return { role: message.role, content: convertContent(message.content) };
    }
  });
}

function convertContent(content: ChatMessage['content']): string | OpenAIContentPart[] {
  if (typeof content === 'string') return content;
  if (content.every((part) => part.type === 'text')) return textOnly(content);
  return content.map(
    (part): OpenAIContentPart =>
      part.type === 'text'
        ? { type: 'text', text: part.text }
        : {
            type: 'image_url',
            image_url: part.detail ? { url: part.url, detail: part.detail } : { url: part.url },
          },
  );
}

function textOnly(parts: readonly ContentPart[]): string {
  return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}
