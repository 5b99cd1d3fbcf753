export { ATTEMPT_OUTCOMES, type AttemptOutcome } from './attempt-outcome.ts';
export { type CalendarPeriod, calendarPeriodStarts, isTimeZone, nextMidnight } from './next-midnight.ts';
export {
  CAPABILITIES,
  type Capability,
  type ChatMessage,
  type ChatRole,
  type ContentPart,
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  type GenerationOptions,
  keyAdapterId,
  type ProviderAdapter,
  type ProviderKind,
  type ResponseFormat,
  type StreamEvent,
  type TokenUsage,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
  textOf,
} from './provider-adapter.ts';
export {
  EXHAUSTION_SCOPES,
  type ExhaustionScope,
  ProviderError,
  type ProviderErrorOptions,
  type QuotaExhaustion,
} from './provider-error.ts';
export type { QuotaHint, RateLimitHint } from './rate-limit-hint.ts';
export { WIRE_CAPABILITIES } from './wire-capabilities.ts';
