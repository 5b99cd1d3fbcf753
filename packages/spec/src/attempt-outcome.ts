/**
 * Every failed call to a provider maps to exactly one of these outcomes (docs/providers.md
 * lists what each provider's answer maps to). What the broker does about each outcome is
 * decided in one place, in the broker, never in an adapter.
 */
export const ATTEMPT_OUTCOMES = [
  /** 429 or equivalent: the provider wants us to slow down; `retryAfterMs` says for how long. */
  'rate_limited',
  /** A quota that will not reset soon (daily/monthly cap, billing, "insufficient_quota"). */
  'quota_exhausted',
  /** 5xx, overloaded. */
  'server_error',
  /** No complete answer within the provider timeout. */
  'timeout',
  /** The connection broke after the request was sent (reset, closed mid-answer). */
  'network_error',
  /**
   * The request never left: connection refused, DNS failure, unreachable host. The provider
   * cannot have counted it.
   */
  'connection_failed',
  /** The prompt (plus max_tokens) does not fit this model's context window. */
  'context_length_exceeded',
  /** The request itself is wrong (bad parameter, unknown model on this provider). */
  'invalid_request',
  /** The provider refused our key (401/403). */
  'authentication_failed',
  /** The provider refused the content (safety filter). */
  'content_filtered',
  /** A 2xx whose body is malformed, or output the provider cut short on its own. */
  'bad_response',
] as const;

export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
