export {
  type CallbackUrlCheck,
  type CheckCallbackUrlOptions,
  checkCallbackUrl,
} from './check-callback-url.ts';

export {
  createWebhooks,
  type DeliveryAttempt,
  type WebhookEvent,
  type Webhooks,
  type WebhooksOptions,
} from './create-webhooks.ts';

export type {
  SignWebhookOptions,
  VerifyWebhookOptions,
  WebhookHeaders,
} from './sign-webhook.ts';
export type { WebhookErrorCode } from './webhook-error.ts';
export type { WebhookEventType } from './webhook-keys.ts';
