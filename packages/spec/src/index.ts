export { ATTEMPT_OUTCOMES, type AttemptOutcome, isAttemptOutcome } from './attempt-outcome.ts';
export type {
  ChatMessage,
  ChatRole,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  ProviderAdapter,
  ProviderKind,
  StreamEvent,
  TokenUsage,
} from './provider-adapter.ts';
export { ProviderError, type ProviderErrorOptions } from './provider-error.ts';
export type { QuotaHint, RateLimitHint } from './rate-limit-hint.ts';
