import type { RateLimitHint } from './rate-limit-hint.ts';

export type ProviderKind = 'openai' | 'anthropic' | 'gemini';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface GenerateRequest {
  /** The provider's model name. */
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  /** Aborts the call; the adapter rethrows `signal.reason`. */
  signal?: AbortSignal;
  /** Overrides the provider timeout for this call. */
  timeoutMs?: number;
}

/** Why the model stopped. `length` here means the caller's own max_tokens was reached. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface GenerateResult {
  content: string;
  finishReason: FinishReason;
  usage: TokenUsage;
  /** The model that answered, as the provider reports it. */
  model: string;
  /** Quota state the provider reported with this answer. */
  rateLimit?: RateLimitHint;
  /** The provider's id for this response, when it sends one. */
  responseId?: string;
}

/** What a streaming call yields: text as it arrives, then the whole result. */
export type StreamEvent = { type: 'delta'; text: string } | { type: 'done'; result: GenerateResult };

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
