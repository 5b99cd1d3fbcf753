import type { JobRequest } from '@switchyard/broker';

/** The one endpoint batches serve. */
export const BATCH_ENDPOINT = '/v1/chat/completions';
const MAX_CUSTOM_ID_LENGTH = 512;
const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);

/** One line of a batch input file, checked and mapped onto what the broker takes. */
export interface BatchRequest {
  customId: string;
  /** `body.model`: a route name or `provider/model` (a batch's `route` overrides it). */
  model: string;
  messages: JobRequest['messages'];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
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

function checkRequest(line: Fields): Omit<BatchRequest, 'customId'> | string {
  if (line.method !== 'POST') return 'method: expected "POST"';
  if (line.url !== BATCH_ENDPOINT) return `url: expected "${BATCH_ENDPOINT}"`;
  const body = line.body;
  if (!isObject(body)) return 'body: expected an object';
  if (typeof body.model !== 'string' || body.model.trim() === '')
    return 'body.model: expected a route name or provider/model';
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'body.messages: expected a non-empty array';
  const messages: BatchRequest['messages'] = [];
  for (const [index, message] of body.messages.entries()) {
    const path = `body.messages[${index}]`;
    if (!isObject(message)) return `${path}: expected an object`;
    if (typeof message.role !== 'string' || !ROLES.has(message.role))
      return `${path}.role: expected system, user or assistant`;
    if (typeof message.content !== 'string') return `${path}.content: expected a string`;
    messages.push({
      role: message.role as BatchRequest['messages'][number]['role'],
      content: message.content,
    });
  }
  if (body.stream === true) return 'body.stream: streaming is not available in a batch';
  if (body.n !== undefined && body.n !== 1) return 'body.n: only 1 choice is available';

  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) >= 1))
    return 'body.max_tokens: expected a positive integer';
  const { temperature, top_p: topP } = body;
  if (temperature !== undefined && !inRange(temperature, 0, 2))
    return 'body.temperature: expected a number from 0 to 2';
  if (topP !== undefined && !inRange(topP, 0, 1)) return 'body.top_p: expected a number from 0 to 1';
  let stop: string[] | undefined;
  if (typeof body.stop === 'string') stop = [body.stop];
  else if (Array.isArray(body.stop) && body.stop.every((entry) => typeof entry === 'string'))
    stop = body.stop;
  else if (body.stop !== undefined && body.stop !== null)
    return 'body.stop: expected a string or an array of strings';

  return {
    model: body.model,
    messages,
    ...(maxTokens === undefined ? {} : { maxTokens: maxTokens as number }),
    ...(temperature === undefined ? {} : { temperature: temperature as number }),
    ...(topP === undefined ? {} : { topP: topP as number }),
    ...(stop === undefined ? {} : { stop }),
  };
}

function inRange(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}
