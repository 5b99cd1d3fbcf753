import { type ChatMessage, textOf } from '@switchyard/spec';

export interface OpenAIChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Chat Completions takes our messages as they are, system messages included. */
export function convertToOpenAIMessages(messages: readonly ChatMessage[]): OpenAIChatMessage[] {
  return messages.map(({ role, content }) => ({
    role: role === 'tool' ? 'user' : role,
    content: textOf(content),
  }));
}
