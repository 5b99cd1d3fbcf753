import type { ChatMessage, ToolDefinition } from '@switchyard/spec';

/**
 * Tokens an image is counted as before the call: OpenAI's price of a low-detail image (85),
 * and of a high-detail image up to 1024 x 1024 pixels (4 tiles of 170 plus 85) for `auto`
 * and `high`. Providers count images their own way; the reservation settles to what they
 * report.
 */
export const IMAGE_TOKENS = { low: 85, other: 765 } as const;

/**
 * Input tokens of a prompt, estimated before the call as ceil(characters / 4) per message
 * (its text and its tool calls' arguments), plus `IMAGE_TOKENS` per image, plus the tool
 * definitions as JSON text: the same approximation the provider simulator counts text with.
 * The quota reserves this plus max_tokens, then settles to the usage the provider reports.
 */
export function estimateInputTokens(
  messages: readonly ChatMessage[],
  tools: readonly ToolDefinition[] = [],
): number {
  let tokens = 0;
  for (const message of messages) {
    let characters = 0;
    if (typeof message.content === 'string') characters += message.content.length;
    else
      for (const part of message.content) {
        if (part.type === 'text') characters += part.text.length;
        else tokens += part.detail === 'low' ? IMAGE_TOKENS.low : IMAGE_TOKENS.other;
      }
    for (const call of message.toolCalls ?? []) characters += call.name.length + call.arguments.length;
    tokens += Math.ceil(characters / 4);
  }
  if (tools.length > 0) tokens += Math.ceil(JSON.stringify(tools).length / 4);
  return tokens;
}

/** Output tokens to reserve when the request sets no max_tokens. */
export const DEFAULT_OUTPUT_RESERVATION = 1024;
