import type { AttemptOutcome, ProviderError } from '@switchyard/spec';
import { createProviderError, type ResponseContext, summarize } from '../shared/create-provider-error.ts';
import { isContextLengthMessage } from '../shared/is-context-length-message.ts';
import { mapHttpStatus, mayBeContextLength } from '../shared/map-http-status.ts';
import { readAnthropicError } from './anthropic-error.ts';

/**
 * Billing and spend caps, which do not lift within minutes: "Your credit balance is too low
 * to access the Anthropic API" (a 400) and "You have reached your specified API usage limits".
 */
const BILLING = /credit balance|usage limits?|spend(?:ing)? limit|billing/i;

/** The error for a non-2xx Messages API answer. */
export function mapAnthropicError(context: ResponseContext): ProviderError {
  const { status, text } = context.response;
  const error = readAnthropicError(text);
  return createProviderError(context, {
    outcome: classify(status, error?.type, error?.message),
    detail: summarize(
      error ? `${error.type}: ${error.message}` : undefined,
      `body was ${text.trim() === '' ? 'empty' : 'not an Anthropic error'}`,
    ),
  });
}

function classify(status: number, type: string | undefined, message: string | undefined): AttemptOutcome {
  if (type === 'overloaded_error' || type === 'api_error') return 'server_error';
  if (message !== undefined && BILLING.test(message) && status >= 400 && status < 500 && status !== 401) {
    return 'quota_exhausted';
  }
  if (type === 'request_too_large') return 'context_length_exceeded';
  if (mayBeContextLength(status) && isContextLengthMessage(message)) return 'context_length_exceeded';
  if (type === 'authentication_error' || type === 'permission_error') return 'authentication_failed';
  if (type === 'rate_limit_error') return 'rate_limited';
  return mapHttpStatus(status);
}
