import { isRecord, optionalString, parseJsonBody } from '../common/parse-json-body.ts';

/** The error body of OpenAI and of most OpenAI-compatible servers. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type?: string | null;
    param?: string | null;
    code?: string | number | null;
  };
}

export function isOpenAIErrorBody(value: unknown): value is OpenAIErrorBody {
  return isRecord(value) && isRecord(value.error) && typeof value.error.message === 'string';
}

export interface OpenAIErrorDetails {
  message?: string;
  type?: string;
  code?: string;
}

/**
 * Reads an error body in the OpenAI shape, or in the variants compatible servers send:
 * `{"error": "text"}` (Ollama), `{"message", "type", "code"}` at the top level (vLLM,
 * Cerebras), `[{"error": {...}}]` (Gemini's OpenAI endpoint). Empty when it is none of them.
 */
export function readOpenAIError(text: string): OpenAIErrorDetails {
  let body = parseJsonBody(text);
  if (Array.isArray(body)) body = body[0];
  if (isOpenAIErrorBody(body)) {
    return {
      message: body.error.message,
      type: optionalString(body.error.type),
      code: body.error.code === null || body.error.code === undefined ? undefined : String(body.error.code),
    };
  }
  if (!isRecord(body)) return {};
  if (typeof body.error === 'string') return { message: body.error };
  return {
    message: optionalString(body.message),
    type: optionalString(body.type),
    code: typeof body.code === 'string' ? body.code : undefined,
  };
}
