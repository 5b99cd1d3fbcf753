/**
 * Every queue name and Redis key of the broker, in one place (files and batches have theirs in
 * @switchyard/batches, webhooks in @switchyard/webhooks). No key is written anywhere else.
 *
 * Keys that one Lua script or MULTI touches share a Redis Cluster hash slot through a `{tag}`:
 * a provider's quota, health and stats keys are tagged with the provider, a job's keys with the
 * job id. Keys that no script combines carry no tag and spread by their whole name (usage per
 * day and per tenant, idempotency keys). docs/redis-cluster.md lists what lands where.
 */
export interface Keys {
  prefix: string;
  /**
   * BullMQ's prefix for one queue. BullMQ needs a queue's keys in one slot, so the prefix is a
   * hash tag: `{prefix}` for every queue on a standalone Redis (the layout Switchyard always
   * had), `{prefix:queue}` on a cluster, so each queue has a slot of its own and the queues
   * spread over the masters instead of all landing on one.
   */
  queuePrefix(queueName: string): string;
  /** BullMQ queue of one provider. */
  providerQueue(providerId: string): string;
  /**
   * Fair-share state of one priority class on one queue (hash: `clock`, `issued`, `t:<tenant>`
   * finish tags; fair-share/tag-3.lua). Under the queue's BullMQ hash tag: the script reads the
   * queue's prioritized set in the same step.
   */
  fairShare(queueName: string, priority: string): string;
  /** BullMQ queue of deadline checks (jobs that must leave a queue by a given time). */
  readonly deadlineQueue: string;
  /** BullMQ queue of finished jobs whose follow-ups (webhook, batch counters) must run. */
  readonly finalizeQueue: string;
  /** BullMQ queue of the sweeper's repeated runs (one job scheduler, `sweep`). */
  readonly sweeperQueue: string;
  /**
   * Every job not yet terminal (sorted set: job id, scored by when the sweeper next checks it).
   * Added when a job is created, removed when it ends; the sweeper removes what is left over.
   */
  readonly openJobs: string;
  /**
   * The synchronous fast path's calls in flight on one provider (sorted set: job id -> lease end,
   * epoch ms): they count against the provider's concurrency, and the sweeper leaves a `running`
   * job alone while its lease lasts (`fast-path.ts`).
   */
  fastCalls(providerId: string): string;
  /** Quota state of one limit of one provider: `scope` is `provider` or a model name. */
  quota(providerId: string, scope: string, unit: string, window: string): string;
  /** A multiplier (< 1) on a provider's limits after it answered 429 despite our accounting. */
  quotaScale(providerId: string): string;
  /** A provider's measured figures (hash): `latency`, the moving average in ms. */
  stats(providerId: string): string;
  /**
   * A provider's circuit breaker state (hash: `status` closed | open | half_open, `reason`,
   * `since`, `failures` (consecutive), `error_rate` (at opening), `next_probe` (epoch ms: when
   * an open circuit may be probed; while half-open, when the probe's lease ends)).
   */
  healthState(providerId: string): string;
  /**
   * A provider refusing (429) calls our quota admitted (hash: `refusals` rounds in a row, `until`
   * epoch ms it is backed off, `since` the streak's first refusal); gone after a success.
   */
  providerBackoff(providerId: string): string;
  /**
   * A daily or monthly cap (expires at its reset) or the credits (no expiry) of a provider, or
   * of one of its models, spent (JSON: scope, resetAt, model, configHash).
   */
  providerExhausted(providerId: string, model?: string): string;
  /** The calls, and the failed calls, the breaker counted in its window (sorted sets by time). */
  healthCalls(providerId: string): string;
  healthFailures(providerId: string): string;
  /** Usage of one UTC day (`YYYY-MM-DD`), overall and of one tenant (hashes; budgets/usage-fields.ts). */
  usageDay(day: string): string;
  usageTenantDay(tenant: string, day: string): string;
  /** Spend of one UTC month (`YYYY-MM`), for the budgets (hash). */
  usageMonth(month: string): string;
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
  /**
   * A tenant's limits (tenant-limits/): its request bucket (hash), its jobs not yet terminal
   * (sorted set), the bytes of each item it stores (hash) and their expiry (sorted set), its
   * stored bytes in total (string), its open streams (sorted set). All tagged with the
   * tenant, so each script over them runs in one Redis Cluster hash slot.
   */
  tenantRequests(tenant: string): string;
  tenantActiveJobs(tenant: string): string;
  tenantStoredItems(tenant: string): string;
  tenantStoredExpiry(tenant: string): string;
  tenantStoredBytes(tenant: string): string;
  tenantStreams(tenant: string): string;
}

/** BullMQ's prefix of a queue (see `Keys.queuePrefix`); batches and webhooks use it too. */
export function queuePrefixOf(prefix: string, cluster: boolean, queueName: string): string {
  return cluster ? `{${prefix}:${queueName}}` : `{${prefix}}`;
}

export function createKeys(prefix: string, options: { cluster?: boolean } = {}): Keys {
  return {
    prefix,
    queuePrefix: (queueName) => queuePrefixOf(prefix, options.cluster ?? false, queueName),
    providerQueue: (providerId) => `provider.${providerId}`,
    fairShare: (queueName, priority) =>
      `${queuePrefixOf(prefix, options.cluster ?? false, queueName)}:fair:${queueName}:${priority}`,
    deadlineQueue: 'deadlines',
    finalizeQueue: 'finalize',
    sweeperQueue: 'sweeper',
    openJobs: `${prefix}:jobs:open`,
    fastCalls: (providerId) => `${prefix}:fast:{${providerId}}`,
    quota: (providerId, scope, unit, window) => `${prefix}:quota:{${providerId}}:${scope}:${unit}:${window}`,
    quotaScale: (providerId) => `${prefix}:quota:{${providerId}}:scale`,
    stats: (providerId) => `${prefix}:stats:{${providerId}}`,
    healthState: (providerId) => `${prefix}:health:{${providerId}}`,
    providerBackoff: (providerId) => `${prefix}:backoff:{${providerId}}`,
    providerExhausted: (providerId, model) =>
      `${prefix}:exhausted:{${providerId}}${model === undefined ? '' : `:model:${encodeURIComponent(model)}`}`,
    healthCalls: (providerId) => `${prefix}:health:{${providerId}}:calls`,
    healthFailures: (providerId) => `${prefix}:health:{${providerId}}:fails`,
    usageDay: (day) => `${prefix}:usage:day:${day}`,
    usageTenantDay: (tenant, day) => `${prefix}:usage:day:${day}:tenant:${encodeURIComponent(tenant)}`,
    usageMonth: (month) => `${prefix}:usage:month:${month}`,
    job: (jobId) => `${prefix}:job:{${jobId}}`,
    jobAttempts: (jobId) => `${prefix}:job:{${jobId}}:attempts`,
    jobStream: (jobId) => `${prefix}:job:{${jobId}}:stream`,
    idempotency: (tenant, key) => `${prefix}:idempotency:${tenant}:${key}`,
    jobEvents: `${prefix}:events:jobs`,
    cancellations: `${prefix}:events:cancel`,
    tenantRequests: (tenant) => `${tenantKey(prefix, tenant)}:requests`,
    tenantActiveJobs: (tenant) => `${tenantKey(prefix, tenant)}:active`,
    tenantStoredItems: (tenant) => `${tenantKey(prefix, tenant)}:stored`,
    tenantStoredExpiry: (tenant) => `${tenantKey(prefix, tenant)}:stored:expiry`,
    tenantStoredBytes: (tenant) => `${tenantKey(prefix, tenant)}:stored:bytes`,
    tenantStreams: (tenant) => `${tenantKey(prefix, tenant)}:streams`,
  };
}

/** `<prefix>:tenant:{<tenant>}`: encoded, so a tenant name cannot break out of its hash tag. */
function tenantKey(prefix: string, tenant: string): string {
  return `${prefix}:tenant:{${encodeURIComponent(tenant)}}`;
}
