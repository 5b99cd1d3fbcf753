/**
 * Anthropic's error type for an HTTP status, as its API answers them (its SDK picks the error
 * class by status, and exposes this type as `error.type`).
 */
export function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'billing_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string; code: string; details: Record<string, unknown> };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Switchyard's error (`{ code, message, details? }`) in Anthropic's shape. The code stays as
 * `code` and goes into `details.error_code` too, which the SDK exposes as `errorCode`; details
 * that are not an object (a validation's list of issues) go under `details.issues`.
 */
export function toAnthropicError(
  status: number,
  error: { code: string; message: string; details?: unknown },
): AnthropicErrorBody {
  const details = isRecord(error.details)
    ? error.details
    : error.details === undefined
      ? {}
      : { issues: error.details };
  return {
    type: 'error',
    error: {
      type: anthropicErrorType(status),
      message: error.message,
      code: error.code,
      details: { ...details, error_code: error.code },
    },
  };
}

/** Whether a reply payload is Switchyard's error body (and not already Anthropic's). */
export function isSwitchyardError(
  payload: unknown,
): payload is { error: { code: string; message: string; details?: unknown } } {
  return (
    isRecord(payload) &&
    payload.type !== 'error' &&
    isRecord(payload.error) &&
    typeof payload.error.code === 'string' &&
    typeof payload.error.message === 'string'
  );
}
