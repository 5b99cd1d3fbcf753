import type { AttemptOutcome } from '@switchyard/spec';

/**
 * System error codes that mean the request never left this machine: no connection was made,
 * so the provider cannot have seen (or counted) the call.
 */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ERR_INVALID_URL',
]);

/** The system error code of a failed request (undici hides it in `cause`), if any. */
export function networkErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause as { code?: unknown } | undefined;
  const code = cause?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** `connection_failed` when the request never left, else `network_error`. */
export function networkOutcome(
  error: unknown,
): Extract<AttemptOutcome, 'network_error' | 'connection_failed'> {
  const code = networkErrorCode(error);
  return code !== undefined && NEVER_SENT.has(code) ? 'connection_failed' : 'network_error';
}
