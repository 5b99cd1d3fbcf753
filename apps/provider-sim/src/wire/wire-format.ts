import type { IncomingHttpHeaders } from 'node:http';
import type { LimitMetric, QuotaSnapshot } from '../rate-limiter.ts';
import type { SimModel, WireFormatKind } from '../sim-config.ts';

/** What a request asks for, whatever its wire format. */
export interface ChatCall {
  model: string;
  /** Concatenated text of the user turns: what the simulated model summarises. */
  userText: string;
  /** Sum of countTokens over every message (and the system prompt). */
  inputTokens: number;
  maxTokens: number | undefined;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
  /** The functions the request offers (empty without tools). */
  tools: SimTool[];
  /** Whether the model may, must, or must not call a tool; `{ name }` forces one. */
  toolChoice: 'auto' | 'none' | 'required' | { name: string };
  /** The text of the tool result(s) when the last message answers tool calls. */
  toolResult?: string;
  /** A JSON answer asked for: any object, or one valid against `schema`. */
  responseFormat?: { type: 'json_object' } | { type: 'json_schema'; schema: unknown };
}

export interface SimTool {
  name: string;
  /** The JSON Schema of its arguments object. */
  parameters: unknown;
}

/** A call the simulated model makes; `arguments` is the parsed arguments object. */
export interface SimToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type Route =
  | { kind: 'generate'; model?: string; stream?: boolean; sse?: boolean }
  | { kind: 'list-models' }
  | { kind: 'get-model'; model: string };

export interface Answer {
  /** A per-provider counter, turned into a format-specific id. */
  sequence: number;
  /** Seconds since the epoch. */
  created: number;
  model: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  finish: 'stop' | 'length' | 'tool_calls';
  /** Present (and `finish` is `tool_calls`) when the simulated model calls tools. */
  toolCalls?: SimToolCall[];
}

export type RateLimitCause = 'limit' | 'concurrency' | 'injected';

/** Every error the simulator can answer with, before it is put into a wire format. */
export type SimError =
  | { kind: 'missing-key' }
  | { kind: 'bad-key'; key: string }
  | { kind: 'unknown-route'; method: string; path: string }
  | { kind: 'unknown-model'; model: string }
  | { kind: 'bad-json'; detail: string }
  | { kind: 'invalid-request'; message: string; param?: string }
  | { kind: 'context-length'; inputTokens: number; maxTokens: number | undefined; contextWindow: number }
  | {
      kind: 'rate-limited';
      cause: RateLimitCause;
      model: string;
      metric: LimitMetric;
      limit?: number;
      used?: number;
      requested?: number;
      perMs?: number;
      /** Undefined when no wait helps (the request alone is larger than the limit). */
      retryAfterMs: number | undefined;
    }
  | {
      /** The daily cap is spent: the format's quota-exhausted answer until the day turns. */
      kind: 'daily-cap';
      model: string;
      limit: number;
      /** When the provider's day turns (epoch ms): absolute, so that a reply rendered a few ms later names the same instant. */
      resetAt: number;
      answer: 'daily-limit' | 'insufficient-quota';
    }
  | { kind: 'server-error' }
  | { kind: 'unavailable' };

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface WireStream {
  headers: Record<string, string>;
  /** Each string is written as is (already framed as SSE or JSON-array pieces). */
  chunks: string[];
}

/** One provider wire format: routing, auth, request parsing and response rendering. */
export interface WireFormat {
  readonly kind: WireFormatKind;
  /** `path` is what follows `/{providerId}`, without the query string. */
  route(method: string, path: string): Route | undefined;
  readApiKey(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined;
  /** The call, or a message for a 400 invalid-request error. */
  parseCall(body: unknown, route: Extract<Route, { kind: 'generate' }>): ChatCall | SimError;
  renderAnswer(answer: Answer, quota: QuotaSnapshot, now: number): WireResponse;
  renderStream(answer: Answer, quota: QuotaSnapshot, now: number, call: ChatCall): WireStream;
  renderError(error: SimError, quota: QuotaSnapshot, now: number): WireResponse;
  renderModels(models: SimModel[]): WireResponse;
  renderModel(model: SimModel): WireResponse;
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** Splits output into stream pieces of about `size` characters, cutting after spaces. */
export function splitForStream(text: string, size = 24): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start) end = space + 1;
    }
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

export function describeWindow(perMs: number): { long: string; short: string } {
  if (perMs === 60_000) return { long: 'per min', short: 'M' };
  if (perMs === 3_600_000) return { long: 'per hour', short: 'H' };
  if (perMs === 86_400_000) return { long: 'per day', short: 'D' };
  if (perMs === 1_000) return { long: 'per second', short: 'S' };
  return { long: `per ${perMs}ms`, short: `${perMs}ms` };
}

/** Text pieces of a message content that may be a string or an array of typed blocks. */
export function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const block of content) {
    if (
      typeof block === 'object' &&
      block !== null &&
      typeof (block as { text?: unknown }).text === 'string'
    ) {
      texts.push((block as { text: string }).text);
    }
  }
  return texts.join('\n');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
