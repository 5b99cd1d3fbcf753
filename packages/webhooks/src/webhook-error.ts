const marker = Symbol.for('switchyard.WebhookError');

export type WebhookErrorCode =
  /** `send` or `startWorker` without a signing secret: a configuration problem, never sent unsigned. */
  | 'webhooks_not_configured'
  /** The configured secret is not `whsec_` followed by base64 (the message never repeats it). */
  | 'invalid_webhook_secret'
  /** An event `send` cannot queue: unknown type, a subject unfit for an id, a bad callback URL. */
  | 'invalid_webhook_event';

/**
 * What the webhooks package refuses, with a stable `code`. `isInstance` checks a `Symbol.for`
 * marker, so it works across duplicate package copies.
 */
export class WebhookError extends Error {
  readonly [marker] = true;
  readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string) {
    super(message);
    this.name = 'WebhookError';
    this.code = code;
  }

  static isInstance(error: unknown): error is WebhookError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
