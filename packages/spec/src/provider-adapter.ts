import type { RateLimitHint } from './rate-limit-hint.ts';

export type ProviderKind = 'openai' | 'anthropic' | 'gemini';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A part of a message's content: text, or an image by URL (`data:` or `https:`). */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; url: string; detail?: 'auto' | 'low' | 'high' };

/** A function call the model asked for; `arguments` is JSON text, as the model wrote it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  /** Text, or parts (text and images). An assistant message that only calls tools has ''. */
  content: string | ContentPart[];
  /** An assistant message's tool calls. */
  toolCalls?: ToolCall[];
  /** A `tool` message: the id of the call it answers. */
  toolCallId?: string;
  /** A `tool` message: the function's name (Gemini matches results by name). */
  name?: string;
}

/** A function the model may call; `parameters` is a JSON Schema of its arguments object. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

/** Whether and which tool the model must call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** The shape of the answer: free text, any JSON object, or JSON valid against a schema. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

/** What a model can do beyond text; a model declares them, or has what its wire format carries. */
export const CAPABILITIES = ['tools', 'json_schema', 'vision', 'streaming'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** The text of a message's content (images left out). */
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}

/** What shapes an answer besides the messages: the same for every provider. */
export interface GenerationOptions {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** false: at most one tool call per answer. */
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** The end user, for the provider's abuse monitoring. */
  user?: string;
  logprobs?: boolean;
  topLogprobs?: number;
}

export interface GenerateRequest extends GenerationOptions {
  /** The provider's model name. */
  model: string;
  messages: ChatMessage[];
  /** Aborts the call; the adapter rethrows `signal.reason`. */
  signal?: AbortSignal;
  /** Overrides the provider timeout for this call. */
  timeoutMs?: number;
}

/** Why the model stopped. `length` here means the caller's own max_tokens was reached. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

/**
 * Tokens of one answer, as the provider counted them. The parts are included in the totals:
 * `cachedInputTokens` and `cacheWriteTokens` are part of `inputTokens`, `reasoningTokens` part
 * of `outputTokens` (adapters add Anthropic's cache tokens, which it reports apart, and Gemini's
 * thoughts, which it reports apart, so every format means the same). Parts are absent when the
 * provider did not report them.
 */
export interface TokenUsage {
  /** Every input token: uncached, read from a cache and written to one. */
  inputTokens: number;
  /** Every output token, reasoning included (all three providers bill reasoning as output). */
  outputTokens: number;
  /** Input read from the provider's prompt cache (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`, Gemini `cachedContentTokenCount`). */
  cachedInputTokens?: number;
  /** Input written to the prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWriteTokens?: number;
  /** Output spent on reasoning (OpenAI `reasoning_tokens`, Gemini `thoughtsTokenCount`). */
  reasoningTokens?: number;
}

export interface GenerateResult {
  content: string;
  /** The tool calls the model made (`finishReason` is then `tool_calls`). */
  toolCalls?: ToolCall[];
  finishReason: FinishReason;
  usage: TokenUsage;
  /** The model that answered, as the provider reports it. */
  model: string;
  /** Quota state the provider reported with this answer. */
  rateLimit?: RateLimitHint;
  /** The provider's id for this response, when it sends one. */
  responseId?: string;
}

/**
 * What a streaming call yields: text and tool-call pieces as they arrive, then the whole
 * result. A tool call's first piece carries its `id` and `name`; later pieces of the same
 * `index` add to its `arguments`, as in OpenAI's chunks.
 */
export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_call_delta'; index: number; id?: string; name?: string; arguments?: string }
  | { type: 'done'; result: GenerateResult };

/**
 * One configured provider endpoint. `generate` resolves with a result or
 * rejects with a `ProviderError`, or with `signal.reason` when the caller aborted.
 */
export interface ProviderAdapter {
  readonly id: string;
  readonly kind: ProviderKind;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /**
   * The same call, streamed: deltas as the provider sends them, then `done` with the result
   * (checked exactly as `generate` checks it). Failures throw a `ProviderError`, as `generate`
   * does. Adapters without it are called with `generate`.
   */
  stream?(request: GenerateRequest): AsyncIterable<StreamEvent>;
}

/**
 * Where the adapter of one key of a provider's key pool is found in the adapters by provider
 * id (the provider's own entry calls with its first key).
 */
export function keyAdapterId(providerId: string, fingerprint: string): string {
  return `${providerId}#${fingerprint}`;
}
