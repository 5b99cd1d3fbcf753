import { type ChatMessage, textOf } from '@switchyard/spec';

/**
 * Input tokens of a prompt, estimated before the call as ceil(characters / 4) per message,
 * the same approximation the provider simulator counts with. The quota reserves this plus
 * max_tokens, then settles to the usage the provider reports.
 */
export function estimateInputTokens(messages: readonly ChatMessage[]): number {
  let tokens = 0;
  for (const message of messages) tokens += Math.ceil(textOf(message.content).length / 4);
  return tokens;
}

/** Output tokens to reserve when the request sets no max_tokens. */
export const DEFAULT_OUTPUT_RESERVATION = 1024;
