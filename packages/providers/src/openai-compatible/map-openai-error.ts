import type { AttemptOutcome, ProviderError } from '@switchyard/spec';
import { createProviderError, type ResponseContext, summarize } from '../shared/create-provider-error.ts';
import { isContextLengthMessage } from '../shared/is-context-length-message.ts';
import { mapHttpStatus, mayBeContextLength } from '../shared/map-http-status.ts';
import { readOpenAIError } from './openai-error.ts';

/** Caps that last until a day (or a bill) turns over: Groq RPD/TPD, OpenRouter `free-models-per-day`. */
const LONG_QUOTA = /\bper[ -]day\b|\b(?:RPD|TPD)\b|\bdaily\b/i;

/** The error for a non-2xx Chat Completions answer. */
export function mapOpenAIError(context: ResponseContext): ProviderError {
  const { status, text } = context.response;
  const details = readOpenAIError(text);
  return createProviderError(context, {
    outcome: classify(status, details.code, details.type, details.message),
    detail: summarize(
      [details.code ?? details.type, details.message].filter(Boolean).join(': '),
      `body was ${text.trim() === '' ? 'empty' : 'not an OpenAI error'}`,
    ),
  });
}

function classify(
  status: number,
  code: string | undefined,
  type: string | undefined,
  message: string | undefined,
): AttemptOutcome {
  const outcome = mapHttpStatus(status);
  if (status >= 400 && status < 500 && code === 'context_length_exceeded') return 'context_length_exceeded';
  if (mayBeContextLength(status) && isContextLengthMessage(message)) return 'context_length_exceeded';
  if (status === 429 || status === 402) {
    if (code === 'insufficient_quota' || type === 'insufficient_quota') return 'quota_exhausted';
    if (message !== undefined && LONG_QUOTA.test(message)) return 'quota_exhausted';
  }
  return outcome;
}
