import { isRecord, parseJsonBody } from '../common/parse-json-body.ts';

/** `{"type":"error","error":{"type":"rate_limit_error","message":"..."},"request_id":"req_..."}` */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

export function isAnthropicErrorBody(value: unknown): value is AnthropicErrorBody {
  return (
    isRecord(value) &&
    value.type === 'error' &&
    isRecord(value.error) &&
    typeof value.error.type === 'string' &&
    typeof value.error.message === 'string'
  );
}

/** The `error` object of an Anthropic error body, or undefined when the body is something else. */
export function readAnthropicError(text: string): AnthropicErrorBody['error'] | undefined {
  const body = parseJsonBody(text);
  return isAnthropicErrorBody(body) ? body.error : undefined;
}
