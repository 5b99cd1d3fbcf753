import type { WireFormatKind } from './sim-config.ts';

/** Helpers shared by the simulator's tests: real HTTP with fetch, one client shape per wire format. */

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON shapes
  json: any;
}

export async function send(
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<HttpResult> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const response = await fetch(url, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...options.headers },
    body,
    signal: options.signal,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export interface ReadAnswer {
  text: string;
  finish: 'stop' | 'length';
  inputTokens: number;
  outputTokens: number;
}

export interface FormatClient {
  format: WireFormatKind;
  generateUrl(baseUrl: string, model: string): string;
  authHeaders(key: string): Record<string, string>;
  body(model: string, text: string, maxTokens?: number): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: reads a provider's JSON answer
  read(json: any): ReadAnswer;
}

export const CLIENTS: Record<WireFormatKind, FormatClient> = {
  openai: {
    format: 'openai',
    generateUrl: (baseUrl) => `${baseUrl}/chat/completions`,
    authHeaders: (key) => ({ authorization: `Bearer ${key}` }),
    body: (model, text, maxTokens) => ({
      model,
      messages: [
        { role: 'system', content: 'Summarise.' },
        { role: 'user', content: text },
      ],
      ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    }),
    read: (json) => ({
      text: json.choices[0].message.content,
      finish: json.choices[0].finish_reason,
      inputTokens: json.usage.prompt_tokens,
      outputTokens: json.usage.completion_tokens,
    }),
  },
  anthropic: {
    format: 'anthropic',
    generateUrl: (baseUrl) => `${baseUrl}/v1/messages`,
    authHeaders: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
    body: (model, text, maxTokens) => ({
      model,
      system: 'Summarise.',
      max_tokens: maxTokens ?? 256,
      messages: [{ role: 'user', content: text }],
    }),
    read: (json) => ({
      text: json.content[0].text,
      finish: json.stop_reason === 'max_tokens' ? 'length' : 'stop',
      inputTokens: json.usage.input_tokens,
      outputTokens: json.usage.output_tokens,
    }),
  },
  gemini: {
    format: 'gemini',
    generateUrl: (baseUrl, model) => `${baseUrl}/models/${model}:generateContent`,
    authHeaders: (key) => ({ 'x-goog-api-key': key }),
    body: (_model, text, maxTokens) => ({
      systemInstruction: { parts: [{ text: 'Summarise.' }] },
      contents: [{ role: 'user', parts: [{ text }] }],
      ...(maxTokens === undefined ? {} : { generationConfig: { maxOutputTokens: maxTokens } }),
    }),
    read: (json) => ({
      text: json.candidates[0].content.parts.map((part: { text: string }) => part.text).join(''),
      finish: json.candidates[0].finishReason === 'MAX_TOKENS' ? 'length' : 'stop',
      inputTokens: json.usageMetadata.promptTokenCount,
      outputTokens: json.usageMetadata.candidatesTokenCount,
    }),
  },
};

/** A few paragraphs with repeated themes, so the extractive summary has something to choose. */
export const ARTICLE = [
  'Switchyard routes completion jobs to free tiers first.',
  'Free tiers have strict rate limits that change without notice.',
  'The broker tracks every rate limit exactly, so it never sends a request that a provider would refuse.',
  'Lunch was served at noon.',
  'When a provider refuses a request anyway, the broker honours the Retry-After header of that provider.',
  'Rate limits are shared by every broker instance through one quota store.',
  'The weather was pleasant.',
  'Jobs that miss their deadline on one provider are re-routed to another provider.',
  'Exact rate limits and honest retry hints make free tiers usable for real work.',
].join(' ');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
