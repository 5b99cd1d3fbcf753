import type { JobInput } from '@switchyard/broker';
import { z } from 'zod';
import {
  chatCompletionFields,
  checkGenerationFields,
  toJobInput,
  unsupportedParameter,
} from './chat-completion-body.ts';

/** The one endpoint batches serve. */
export const BATCH_ENDPOINT = '/v1/chat/completions';
const MAX_CUSTOM_ID_LENGTH = 512;

/** One line of a batch input file, checked and mapped onto what the broker takes. */
export interface BatchRequest {
  customId: string;
  /** `body.model`: a route name or `provider/model` (a batch's `route` overrides it). */
  model: string;
  /** The messages and every option that shapes the answer. */
  input: JobInput;
}

export type ParsedLine =
  | { ok: true; request: BatchRequest }
  | { ok: false; message: string; customId?: string };

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks one JSONL line `{ custom_id, method: 'POST', url: '/v1/chat/completions', body }`.
 * The first problem found is reported, naming the field. Uniqueness of `custom_id` is the
 * file's concern, not the line's.
 */
export function parseRequestLine(line: string): ParsedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return { ok: false, message: `not valid JSON (${(error as Error).message})` };
  }
  if (!isObject(parsed)) return { ok: false, message: 'expected a JSON object' };
  const customId = parsed.custom_id;
  if (typeof customId !== 'string' || customId.length === 0 || customId.length > MAX_CUSTOM_ID_LENGTH) {
    return {
      ok: false,
      message: `custom_id: expected a non-empty string of at most ${MAX_CUSTOM_ID_LENGTH} characters`,
    };
  }
  const problem = checkRequest(parsed);
  if (typeof problem === 'string') return { ok: false, message: problem, customId };
  return { ok: true, request: { customId, ...problem } };
}

/** A batch line's body: a chat completion body, without streaming. */
const LineBody = z
  .strictObject({ ...chatCompletionFields, stream: z.literal(false).nullable().optional() })
  .superRefine(checkGenerationFields);
const ACCEPTED: ReadonlySet<string> = new Set(Object.keys(chatCompletionFields));

function checkRequest(line: Fields): Omit<BatchRequest, 'customId'> | string {
  if (line.method !== 'POST') return 'method: expected "POST"';
  if (line.url !== BATCH_ENDPOINT) return `url: expected "${BATCH_ENDPOINT}"`;
  const body = line.body;
  if (!isObject(body)) return 'body: expected an object';
  if (body.stream === true) return 'body.stream: streaming is not available in a batch';
  const unsupported = unsupportedParameter(body, ACCEPTED);
  if (unsupported) return `body.${unsupported.message}`;
  const parsed = LineBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.reduce<string>(
      (prefix, part) => (typeof part === 'number' ? `${prefix}[${part}]` : `${prefix}.${String(part)}`),
      'body',
    );
    return `${path}: ${issue.message}`;
  }
  return { model: parsed.data.model, input: toJobInput(parsed.data) };
}
