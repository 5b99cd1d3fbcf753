export {
  type CallbackUrlCheck,
  type CheckCallbackUrlOptions,
  checkCallbackUrl,
  parseCallbackUrl,
} from './check-callback-url.ts';
export { computeRetryDelay, DEFAULT_WEBHOOK_SCHEDULE, MAX_RETRY_AFTER_MS } from './compute-retry-delay.ts';
export {
  createWebhooks,
  type DeliveryAttempt,
  WEBHOOK_USER_AGENT,
  type WebhookEvent,
  type Webhooks,
  type WebhooksOptions,
} from './create-webhooks.ts';
export { isPublicAddress } from './is-public-address.ts';
export { parseRetryAfter } from './parse-retry-after.ts';
export {
  generateWebhookSecret,
  type SignWebhookOptions,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
} from './sign-webhook.ts';
export { WebhookError, type WebhookErrorCode } from './webhook-error.ts';
export { createWebhookKeys, WEBHOOK_QUEUE, type WebhookEventType, webhookIdOf } from './webhook-keys.ts';
