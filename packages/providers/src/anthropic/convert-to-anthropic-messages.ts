import { type ChatMessage, textOf } from '@switchyard/spec';

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface AnthropicPrompt {
  /** System messages, joined: the Messages API takes them in the top-level `system` field. */
  system?: string;
  messages: AnthropicMessage[];
}

/**
 * Splits our messages into Anthropic's top-level `system` and the user/assistant turns.
 * Consecutive turns of the same role are left as they are: the API combines them.
 */
export function convertToAnthropicMessages(messages: readonly ChatMessage[]): AnthropicPrompt {
  const system: string[] = [];
  const turns: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') system.push(textOf(message.content));
    else
      turns.push({
        role: message.role === 'assistant' ? 'assistant' : 'user',
        content: textOf(message.content),
      });
  }
  return system.length > 0 ? { system: system.join('\n\n'), messages: turns } : { messages: turns };
}
