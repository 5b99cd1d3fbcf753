import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { parseCallbackUrl } from './check-callback-url.ts';
import { computeRetryDelay, DEFAULT_WEBHOOK_SCHEDULE } from './compute-retry-delay.ts';
import { decideAfterAttempt } from './decide-after-attempt.ts';
import { type AttemptResult, postWebhook } from './post-webhook.ts';
import { decodeWebhookSecret, signWebhook } from './sign-webhook.ts';
import { WebhookError } from './webhook-error.ts';
import {
  createWebhookKeys,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
  webhookIdOf,
} from './webhook-keys.ts';

export type { WebhookEventType } from './webhook-keys.ts';

export interface WebhookEvent {
  type: WebhookEventType;
  /** The job or batch id the event is about. */
  subject: string;
  url: string;
  data: unknown;
  /** Whose event it is: its deliveries are signed with `secretsOf(tenant)` when it has any. */
  tenant?: string;
}

/** One attempt to deliver a webhook, as recorded under the subject. */
export interface DeliveryAttempt {
  webhook_id: string;
  event: WebhookEventType;
  url: string;
  /** 1 for the first attempt. */
  attempt: number;
  status?: number;
  error?: string;
  /** When the attempt started (RFC 3339). */
  at: string;
  duration_ms: number;
  outcome: 'delivered' | 'retrying' | 'gave_up';
}

export interface WebhooksOptions {
  /** Shared connection (`maxRetriesPerRequest: null`, as BullMQ workers need); not closed by `close`. */
  /** A standalone or cluster connection (BullMQ takes either). */
  redis: Redis | Cluster;
  /** Redis key prefix, e.g. `switchyard`; the queue lives under the BullMQ prefix `{<prefix>}`. */
  prefix: string;
  /** `config.redis.cluster`: the connection is a Redis Cluster (the queue gets a slot of its own). */
  cluster?: boolean;
  /** `whsec_<base64>`. Without it nothing is sent: `send` and `startWorker` throw. */
  secret?: string;
  /**
   * A tenant's own secrets, newest first (several while one is rotated); undefined: the
   * tenant's deliveries are signed with `secret`. Asked at each attempt, so a rotation
   * configured since a delivery was queued applies to its retries.
   */
  secretsOf?: (tenant: string) => readonly string[] | undefined;
  allowPrivateNetworks: boolean;
  /** How long delivery logs (and finished queue entries, which keep sends idempotent) are kept. */
  retentionMs: number;
  /** Milliseconds before each attempt, the first included; its length is the number of attempts. */
  schedule?: number[];
  /** Limit of one attempt, from connecting to the end of the response. */
  timeoutMs?: number;
  /** Deliveries one worker runs at once. */
  concurrency?: number;
  /**
   * BullMQ lock duration and stalled-check interval (default 30 s): how soon another worker
   * takes over a delivery whose worker died.
   */
  lockDurationMs?: number;
  /**
   * In-process observer (metrics), called after each attempt is recorded. It must not block;
   * what it throws is ignored, so an observer can never turn a delivery into a retry.
   */
  onDelivery?(attempt: DeliveryAttempt): void;
}

export interface Webhooks {
  /** Queues the event (idempotent per subject and type) and returns its `webhook-id`. */
  send(event: WebhookEvent): Promise<string>;
  /** Starts delivering from the queue in this process. */
  startWorker(): Promise<void>;
  /** Every attempt recorded for the subject, oldest first. */
  deliveries(subject: string): Promise<DeliveryAttempt[]>;
  close(): Promise<void>;
}

interface WebhookJobData {
  webhookId: string;
  type: WebhookEventType;
  subject: string;
  url: string;
  /** The exact body, built once: retries resend the same bytes with a new timestamp and signature. */
  body: string;
  /** The event's tenant, whose secrets sign it (absent: the global secret). */
  tenant?: string;
  /** The schedule the job was queued with, so the delays match its number of attempts. */
  schedule: number[];
}

const WEBHOOK_USER_AGENT = 'Switchyard-Webhooks/0.1';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONCURRENCY = 16;
const BACKOFF_TYPE = 'webhook-schedule';
/** Subjects are job and batch ids; they become part of the BullMQ job id, which must not hold `:`. */
const SUBJECT = /^[A-Za-z0-9_-]{1,200}$/;

/** A failed attempt worth retrying; BullMQ hands it to the backoff strategy. */
class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

function checkSchedule(schedule: readonly number[]): number[] {
  if (schedule.length === 0 || !schedule.every((delay) => Number.isFinite(delay) && delay >= 0)) {
    throw new TypeError('The webhook schedule must list at least one delay of 0 ms or more');
  }
  return [...schedule];
}

/**
 * Signed webhook delivery (Standard Webhooks) from the `webhooks` queue: retried on the
 * schedule with jitter, every attempt recorded under the subject, and never sent to a
 * non-public address unless `allowPrivateNetworks`.
 */
export function createWebhooks(options: WebhooksOptions): Webhooks {
  const { redis, allowPrivateNetworks, retentionMs } = options;
  const { secret } = options;
  if (secret !== undefined) decodeWebhookSecret(secret); // fail on a malformed secret now, not per attempt
  const secretsOf = (data: WebhookJobData, fallback: string): readonly string[] => {
    const own = data.tenant === undefined ? undefined : options.secretsOf?.(data.tenant);
    return own && own.length > 0 ? own : [fallback];
  };
  const schedule = checkSchedule(options.schedule ?? DEFAULT_WEBHOOK_SCHEDULE);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const keys = createWebhookKeys(options.prefix, { cluster: options.cluster });
  const retentionSeconds = Math.max(1, Math.ceil(retentionMs / 1000));
  const queue = new Queue<WebhookJobData>(keys.queue, { connection: redis, prefix: keys.queuePrefix });
  let worker: Worker<WebhookJobData> | undefined;

  function requireSecret(): string {
    if (secret === undefined) {
      throw new WebhookError(
        'webhooks_not_configured',
        'Webhooks need a signing secret (webhooks.secret in the configuration); nothing is sent unsigned',
      );
    }
    return secret;
  }

  async function record(subject: string, attempt: DeliveryAttempt): Promise<void> {
    const key = keys.deliveries(subject);
    await redis.multi().rpush(key, JSON.stringify(attempt)).pexpire(key, retentionMs).exec();
  }

  function attempt(data: WebhookJobData, signingSecret: string, startedAt: number): Promise<AttemptResult> {
    const parsed = parseCallbackUrl(data.url);
    if (!parsed.ok) return Promise.resolve({ kind: 'invalid', message: parsed.message });
    const timestamp = Math.floor(startedAt / 1000);
    return postWebhook({
      url: parsed.url,
      headers: {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'webhook-id': data.webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook({
          secret: secretsOf(data, signingSecret),
          id: data.webhookId,
          timestamp,
          body: data.body,
        }),
      },
      body: data.body,
      timeoutMs,
      allowPrivateNetworks,
    });
  }

  async function deliver(job: Job<WebhookJobData>, signingSecret: string): Promise<void> {
    const { data } = job;
    const number = job.attemptsMade + 1;
    const startedAt = Date.now();
    const decision = decideAfterAttempt(await attempt(data, signingSecret, startedAt));
    const lastAttempt = number >= (job.opts.attempts ?? 1);
    const recorded: DeliveryAttempt = {
      webhook_id: data.webhookId,
      event: data.type,
      url: data.url,
      attempt: number,
      status: decision.status,
      error: decision.action === 'delivered' ? undefined : decision.error,
      at: new Date(startedAt).toISOString(),
      duration_ms: Date.now() - startedAt,
      outcome:
        decision.action === 'delivered'
          ? 'delivered'
          : decision.action === 'retry' && !lastAttempt
            ? 'retrying'
            : 'gave_up',
    };
    await record(data.subject, recorded);
    try {
      options.onDelivery?.(recorded);
    } catch {
      // An observer's failure is its own: the attempt is recorded and decided already.
    }
    if (decision.action === 'stop') throw new UnrecoverableError(decision.error);
    if (decision.action === 'retry') throw new RetryableDeliveryError(decision.error, decision.retryAfterMs);
  }

  return {
    async send(event) {
      requireSecret();
      if (!WEBHOOK_EVENT_TYPES.has(event.type)) {
        throw new WebhookError('invalid_webhook_event', `Unknown webhook event type ${String(event.type)}`);
      }
      if (!SUBJECT.test(event.subject)) {
        throw new WebhookError(
          'invalid_webhook_event',
          'A webhook subject must be a job or batch id ([A-Za-z0-9_-])',
        );
      }
      const parsed = parseCallbackUrl(event.url);
      if (!parsed.ok) throw new WebhookError('invalid_webhook_event', parsed.message);

      const webhookId = webhookIdOf(event.subject, event.type);
      const body = JSON.stringify({
        type: event.type,
        timestamp: new Date().toISOString(),
        data: event.data ?? null,
      });
      const firstDelay = computeRetryDelay(schedule, 0);
      // Same job id for the same (subject, type): BullMQ keeps the first while it exists, and
      // finished entries are kept for the retention, so a repeated send is not a second delivery.
      await queue.add(
        event.type,
        {
          webhookId,
          type: event.type,
          subject: event.subject,
          url: parsed.url.href,
          body,
          schedule,
          ...(event.tenant === undefined ? {} : { tenant: event.tenant }),
        },
        {
          jobId: webhookId,
          attempts: schedule.length,
          backoff: { type: BACKOFF_TYPE },
          ...(firstDelay > 0 ? { delay: firstDelay } : {}),
          removeOnComplete: { age: retentionSeconds },
          removeOnFail: { age: retentionSeconds },
        },
      );
      return webhookId;
    },

    async startWorker() {
      const signingSecret = requireSecret();
      if (worker) return;
      worker = new Worker<WebhookJobData>(keys.queue, (job) => deliver(job, signingSecret), {
        connection: redis,
        prefix: keys.queuePrefix,
        concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
        ...(options.lockDurationMs === undefined
          ? {}
          : { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs }),
        // A delivery whose worker died more than once is still taken over, not failed.
        maxStalledCount: 10,
        settings: {
          backoffStrategy: (attemptsMade, _type, error, job) =>
            computeRetryDelay(
              (job?.data as WebhookJobData | undefined)?.schedule ?? schedule,
              attemptsMade,
              error instanceof RetryableDeliveryError ? error.retryAfterMs : undefined,
            ),
        },
      });
      // Connection errors are retried by BullMQ itself; every attempt's fate is in the delivery log.
      worker.on('error', () => {});
      await worker.waitUntilReady();
    },

    async deliveries(subject) {
      const entries = await redis.lrange(keys.deliveries(subject), 0, -1);
      return entries.map((entry) => JSON.parse(entry) as DeliveryAttempt);
    },

    async close() {
      await worker?.close();
      worker = undefined;
      await queue.close();
    },
  };
}
