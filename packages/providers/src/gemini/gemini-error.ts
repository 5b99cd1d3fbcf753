import { isRecord, parseJsonBody } from '../common/parse-json-body.ts';

/** A google.rpc.Status: `{"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED","details":[...]}}` */
export interface GeminiErrorBody {
  error: {
    code?: number;
    message: string;
    status?: string;
    details?: unknown[];
  };
}

export function isGeminiErrorBody(value: unknown): value is GeminiErrorBody {
  return isRecord(value) && isRecord(value.error) && typeof value.error.message === 'string';
}

/** The `error` of a Gemini error body (also when wrapped in an array), or undefined. */
export function readGeminiError(text: string): GeminiErrorBody['error'] | undefined {
  let body = parseJsonBody(text);
  if (Array.isArray(body)) body = body[0];
  return isGeminiErrorBody(body) ? body.error : undefined;
}

/** The details of one `@type` (`type.googleapis.com/google.rpc.RetryInfo`, ...). */
export function detailsOfType(
  error: GeminiErrorBody['error'],
  type: 'RetryInfo' | 'QuotaFailure' | 'ErrorInfo',
): Record<string, unknown>[] {
  const wanted = `type.googleapis.com/google.rpc.${type}`;
  return (error.details ?? []).filter(
    (detail): detail is Record<string, unknown> => isRecord(detail) && detail['@type'] === wanted,
  );
}
