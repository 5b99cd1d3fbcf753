import { type ChatMessage, type ContentPart, textOf } from '@switchyard/spec';
import { parseDataUrl } from '../common/parse-data-url.ts';
import { parseToolArguments } from '../common/tool-arguments.ts';

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | {
      type: 'image';
      source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
    }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string };

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicContentBlock[];
}

export interface AnthropicPrompt {
  /** System messages, joined: the Messages API takes them in the top-level `system` field. */
  system?: string;
  messages: AnthropicMessage[];
}

/**
 * Splits our messages into Anthropic's top-level `system` and the user/assistant turns.
 * Images become `image` blocks (base64 from a data URL, else by URL), an assistant's tool
 * calls `tool_use` blocks, and tool messages `tool_result` blocks; consecutive tool messages
 * share one user turn, as the API wants every result of one assistant turn in the next turn.
 * Other consecutive turns of the same role are left as they are: the API combines them.
 */
export function convertToAnthropicMessages(messages: readonly ChatMessage[]): AnthropicPrompt {
  const system: string[] = [];
  const turns: AnthropicMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        system.push(textOf(message.content));
        break;
      case 'tool': {
        const block: AnthropicContentBlock = {
          type: 'tool_result',
          tool_use_id: message.toolCallId ?? '',
          content: textOf(message.content),
        };
        const previous = turns.at(-1);
        if (previous && isToolResultTurn(previous)) (previous.content as AnthropicContentBlock[]).push(block);
        else turns.push({ role: 'user', content: [block] });
        break;
      }
      case 'assistant': {
        if (!message.toolCalls?.length) {
          turns.push({ role: 'assistant', content: convertContent(message.content) });
          break;
        }
        const text = textOf(message.content);
        turns.push({
          role: 'assistant',
          content: [
            ...(text === '' ? [] : [{ type: 'text' as const, text }]),
            ...message.toolCalls.map(
              (call): AnthropicContentBlock => ({
                type: 'tool_use',
                id: call.id,
                name: call.name,
                input: parseToolArguments(call.arguments),
              }),
            ),
          ],
        });
        break;
      }
      default:
        turns.push({ role: 'user', content: convertContent(message.content) });
    }
  }
  return system.length > 0 ? { system: system.join('\n\n'), messages: turns } : { messages: turns };
}

function isToolResultTurn(turn: AnthropicMessage): boolean {
  return (
    turn.role === 'user' &&
    Array.isArray(turn.content) &&
    turn.content.every((block) => block.type === 'tool_result')
  );
}

function convertContent(content: ChatMessage['content']): string | AnthropicContentBlock[] {
  if (typeof content === 'string') return content;
  if (content.every((part) => part.type === 'text')) return textOf(content);
  return content.map(convertPart);
}

function convertPart(part: ContentPart): AnthropicContentBlock {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const inline = parseDataUrl(part.url);
  return {
    type: 'image',
    source: inline
      ? { type: 'base64', media_type: inline.mimeType, data: inline.data }
      : { type: 'url', url: part.url },
  };
}
