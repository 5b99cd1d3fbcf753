/**
 * Every queue name and Redis key Switchyard uses, in one place.
 *
 * Keys that one Lua script touches share a Redis Cluster hash slot through a `{tag}`:
 * a provider's quota keys are tagged with the provider, a job's keys with the job id.
 */
export interface Keys {
  prefix: string;
  /** BullMQ queue of one provider. */
  providerQueue(providerId: string): string;
  /** BullMQ queue of deadline checks (jobs that must leave a queue by a given time). */
  readonly deadlineQueue: string;
  /** BullMQ queue of finished jobs whose follow-ups (webhook, batch counters) must run. */
  readonly finalizeQueue: string;
  /** Quota state of one limit of one provider: `scope` is `provider` or a model name. */
  quota(providerId: string, scope: string, unit: string, window: string): string;
  /** A multiplier (< 1) on a provider's limits after it answered 429 despite our accounting. */
  quotaScale(providerId: string): string;
  /** A provider's measured figures (hash): `latency`, the moving average in ms. */
  stats(providerId: string): string;
  /** Job record (hash) and its attempt log (list). */
  job(jobId: string): string;
  jobAttempts(jobId: string): string;
  /** Redis stream of a streaming job's text deltas (`delta`), then `end`. */
  jobStream(jobId: string): string;
  /** Idempotency key -> job id, per tenant. */
  idempotency(tenant: string, key: string): string;
  /** Pub/sub channel: job state changes (`<id> <status>`) and cancellations. */
  readonly jobEvents: string;
  readonly cancellations: string;
}

export function createKeys(prefix: string): Keys {
  return {
    prefix,
    providerQueue: (providerId) => `provider.${providerId}`,
    deadlineQueue: 'deadlines',
    finalizeQueue: 'finalize',
    quota: (providerId, scope, unit, window) => `${prefix}:quota:{${providerId}}:${scope}:${unit}:${window}`,
    quotaScale: (providerId) => `${prefix}:quota:{${providerId}}:scale`,
    stats: (providerId) => `${prefix}:stats:{${providerId}}`,
    job: (jobId) => `${prefix}:job:{${jobId}}`,
    jobAttempts: (jobId) => `${prefix}:job:{${jobId}}:attempts`,
    jobStream: (jobId) => `${prefix}:job:{${jobId}}:stream`,
    idempotency: (tenant, key) => `${prefix}:idempotency:${tenant}:${key}`,
    jobEvents: `${prefix}:events:jobs`,
    cancellations: `${prefix}:events:cancel`,
  };
}
