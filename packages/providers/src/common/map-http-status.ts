import type { AttemptOutcome } from '@switchyard/spec';

/**
 * The outcome an HTTP error status means before looking at the body. Adapters refine it
 * from the provider's error body (context length, daily quota, Gemini's 400 for a bad key).
 */
export function mapHttpStatus(status: number): AttemptOutcome {
  if (status === 401 || status === 403) return 'authentication_failed';
  if (status === 402) return 'quota_exhausted';
  if (status === 408) return 'timeout';
  if (status === 413) return 'context_length_exceeded';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'invalid_request';
  return 'bad_response';
}

/** Statuses whose body may say the prompt does not fit the context window. */
export function mayBeContextLength(status: number): boolean {
  return status === 400 || status === 413 || status === 422;
}
