import { describe, expect, it } from 'vitest';
import { anthropicErrorType, isSwitchyardError, toAnthropicError } from './anthropic-error.ts';

describe('toAnthropicError', () => {
  it("keeps Switchyard's code and details, in Anthropic's shape", () => {
    expect(
      toAnthropicError(404, { code: 'unknown_route', message: 'No route x', details: { route: 'x' } }),
    ).toEqual({
      type: 'error',
      error: {
        type: 'not_found_error',
        message: 'No route x',
        code: 'unknown_route',
        details: { route: 'x', error_code: 'unknown_route' },
      },
    });
    expect(
      toAnthropicError(400, { code: 'invalid_request', message: 'bad', details: [{ field: 'max_tokens' }] })
        .error.details,
    ).toEqual({ issues: [{ field: 'max_tokens' }], error_code: 'invalid_request' });
  });

  it('picks the error type by status', () => {
    expect([400, 401, 403, 404, 413, 422, 429, 499, 502, 503, 504].map(anthropicErrorType)).toEqual([
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'invalid_request_error',
      'rate_limit_error',
      'invalid_request_error',
      'api_error',
      'api_error',
      'timeout_error',
    ]);
  });

  it('tells a Switchyard error body from an answer or an Anthropic error', () => {
    expect(isSwitchyardError({ error: { code: 'x', message: 'y' } })).toBe(true);
    expect(isSwitchyardError(toAnthropicError(400, { code: 'x', message: 'y' }))).toBe(false);
    expect(isSwitchyardError({ type: 'message', content: [] })).toBe(false);
  });
});
