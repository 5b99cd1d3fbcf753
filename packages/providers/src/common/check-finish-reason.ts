import type { FinishReason, GenerateRequest } from '@switchyard/spec';
import { createProviderError, type ResponseContext } from './create-provider-error.ts';

export interface FinishedOutput {
  content: string;
  finishReason: FinishReason;
  /** Output tokens as they count against the request's max tokens (Gemini adds thinking tokens). */
  countedOutputTokens: number;
}

/**
 * Rejects successful answers that are not usable results:
 * - a content-filter stop with no content -> `content_filtered`;
 * - a `length` stop the caller did not ask for (no maxTokens, or fewer output tokens than
 *   maxTokens: the provider cut the output short on its own) -> `bad_response`.
 * A `length` stop at the caller's own maxTokens is a normal result.
 */
export function checkFinishReason(
  context: ResponseContext,
  request: GenerateRequest,
  output: FinishedOutput,
): void {
  if (output.finishReason === 'content_filter' && output.content.trim() === '') {
    throw createProviderError(context, {
      outcome: 'content_filtered',
      detail: 'the provider content filter refused the output',
    });
  }
  if (output.finishReason !== 'length') return;
  const { maxTokens } = request;
  if (maxTokens === undefined || output.countedOutputTokens < maxTokens) {
    const limit = maxTokens === undefined ? 'no maxTokens was requested' : `maxTokens was ${maxTokens}`;
    throw createProviderError(context, {
      outcome: 'bad_response',
      detail: `output truncated by the provider after ${output.countedOutputTokens} tokens (${limit})`,
    });
  }
}
