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

/** The default of `scheduling.defaultMaxTokens`. */
export const DEFAULT_OUTPUT_RESERVATION = 1024;

/** What the output limit of a call depends on. */
export interface TokenNeed {
  inputTokens: number;
  /** The caller's own max_tokens, if any. */
  maxTokens?: number;
}

/**
 * The output limit of a call: the caller's max_tokens, else the model's maxOutputTokens,
 * else `scheduling.defaultMaxTokens`. Every call is sent with this limit, and planning and the
 * worker reserve input plus this limit, so the quota is a true upper bound of what the call
 * may use: a provider counting max_tokens (or the output) never sees more than we reserved.
 */
export function outputLimitOf(
  request: { maxTokens?: number },
  model: { maxOutputTokens?: number },
  defaults: { defaultMaxTokens: number },
): number {
  return request.maxTokens ?? model.maxOutputTokens ?? defaults.defaultMaxTokens;
}

/** Tokens a call reserves against token limits: its input plus its output limit. */
export function reservedTokensOf(
  need: TokenNeed,
  model: { maxOutputTokens?: number },
  defaults: { defaultMaxTokens: number },
): number {
  return need.inputTokens + outputLimitOf(need, model, defaults);
}
