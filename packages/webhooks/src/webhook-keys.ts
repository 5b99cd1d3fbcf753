/**
 * The queue name and Redis keys of webhook delivery, in one place.
 *
 * A subject's delivery log is tagged with the subject (`{job id}` or `{batch id}`), the same
 * hash slot as the job's own keys.
 */
export type WebhookEventType = 'job.succeeded' | 'job.failed' | 'batch.completed';

export const WEBHOOK_EVENT_TYPES: ReadonlySet<WebhookEventType> = new Set([
  'job.succeeded',
  'job.failed',
  'batch.completed',
]);

/** BullMQ queue the webhooks are delivered from (under the `{<prefix>}` BullMQ prefix). */
export const WEBHOOK_QUEUE = 'webhooks';

export interface WebhookKeys {
  prefix: string;
  /**
   * BullMQ's prefix for the queue, a hash tag so the queue's keys share a slot: `{prefix}` on a
   * standalone Redis, `{prefix:webhooks}` on a cluster (a slot of its own; the broker's
   * `queuePrefixOf` makes the same).
   */
  readonly queuePrefix: string;
  readonly queue: string;
  /** Every delivery attempt for one subject (list of JSON `DeliveryAttempt`s). */
  deliveries(subject: string): string;
}

export function createWebhookKeys(prefix: string, options: { cluster?: boolean } = {}): WebhookKeys {
  return {
    prefix,
    queuePrefix: options.cluster ? `{${prefix}:${WEBHOOK_QUEUE}}` : `{${prefix}}`,
    queue: WEBHOOK_QUEUE,
    deliveries: (subject) => `${prefix}:webhook:{${subject}}:deliveries`,
  };
}

/**
 * The `webhook-id` of an event, also its BullMQ job id: one per (subject, type), so sending it
 * again after a crash finds the queued delivery, and the receiver sees the same id on every retry.
 */
export function webhookIdOf(subject: string, type: WebhookEventType): string {
  return `msg_${subject}_${type.replaceAll('.', '_')}`;
}
