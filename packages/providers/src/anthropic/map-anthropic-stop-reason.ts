import type { FinishReason } from '@switchyard/spec';

/**
 * Messages API `stop_reason` -> our finish reason. `model_context_window_exceeded`
 * means the provider ran out of room, which counts as `length` (and, below the caller's
 * max_tokens, as truncation).
 */
export function mapAnthropicStopReason(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    case 'tool_use':
      return 'tool_calls';
    default:
      return 'other';
  }
}
