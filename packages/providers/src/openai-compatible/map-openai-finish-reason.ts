import type { FinishReason } from '@switchyard/spec';

/**
 * Chat Completions `finish_reason` -> our finish reason. Mistral adds `model_length`
 * (the model's context ran out); unknown or missing reasons become `other`.
 */
export function mapOpenAIFinishReason(finishReason: unknown): FinishReason {
  switch (finishReason) {
    case 'stop':
      return 'stop';
    case 'length':
    case 'model_length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}
