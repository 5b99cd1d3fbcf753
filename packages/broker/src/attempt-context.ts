import type { ProviderConfig } from '@switchyard/config';
import type { GenerateResult, ProviderAdapter } from '@switchyard/spec';
import type { Job as QueueJob } from 'bullmq';
import type { ProviderBackoff } from './backoff/create-provider-backoff.ts';
import type { SpentCaps } from './backoff/create-spent-caps.ts';
import type { Cancellations } from './cancellations.ts';
import type { Catalog } from './catalog.ts';
import type { BrokerHooks, Dispatcher } from './dispatcher.ts';
import type { Attempt, Job, PlanTarget } from './job.ts';
import type { JobStore } from './job-store/create-job-store.ts';
import type { JobStreamWriter } from './job-stream.ts';
import type { LatencyStats } from './latency-stats.ts';
import type { QueuedJob, Queues } from './queues.ts';
import type { Quota, QuotaLimit } from './quota/index.ts';
import type { ReservationSizes } from './reservation-sizes.ts';
import type { Spread } from './spread.ts';

/** What a provider worker needs from the rest of the broker. */
export interface AttemptDeps {
  store: JobStore;
  queues: Queues;
  catalog: Catalog;
  quota: Quota;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  latency: LatencyStats;
  dispatcher: Dispatcher;
  cancellations: Cancellations;
  streams: JobStreamWriter;
  hooks: BrokerHooks;
  /** Recent grants' sizes: whether a job refused for tokens is larger than the usual ones. */
  reservationSizes?: ReservationSizes;
  /** Extra calls allowed on one target after a transient failure. */
  retriesPerTarget: number;
  /** Providers that keep refusing (429), backed off for every process. */
  backoff?: ProviderBackoff;
  /** Caps and credits providers said are spent, out of route plans for every process. */
  spentCaps?: SpentCaps;
  /** Moves a job refused by a spent quota to a target of the same cost tier that starts it sooner. */
  spread?: Spread;
  /** 429 refusals taken on one target before moving on (`scheduling.refusalsBeforeMove`). */
  refusalsBeforeMove: number;
  /** Checks an answer before it counts (see `BrokerOptions.validate`). */
  validate?: (result: GenerateResult, job: Job) => string | undefined;
}

/** One attempt of one job on one target, as the worker that makes it sees it. */
export interface Attempting {
  job: Job;
  target: number;
  planned: PlanTarget;
  provider: ProviderConfig;
  /** The queue entry the attempt runs under; none on the synchronous fast path. */
  queued?: QueueJob<QueuedJob>;
  token: string | undefined;
  limits: QuotaLimit[];
  /**
   * `provider`: whose counters the call reserves on, the provider's id, or for a key pool the
   * `quotaId` of the group of the key it calls with.
   */
  reservation: { provider: string; limits: QuotaLimit[]; reservationId: string };
  /** The key of a pool the call is made with; absent for a provider with one key or none. */
  key?: { quotaId: string; fingerprint: string };
  inputTokens: number;
  /** The output limit the call is sent with (`outputLimitOf`); reserved with the input. */
  outputLimit: number;
  reservedTokens: number;
  startedAt: number;
}

export function attemptOf(
  planned: PlanTarget,
  outcome: Attempt['outcome'],
  startedAt: number,
  finishedAt: number,
  error?: Attempt['error'],
): Attempt {
  return {
    provider: planned.provider,
    model: planned.model,
    outcome,
    ...(error ? { error } : {}),
    started_at: new Date(startedAt).toISOString(),
    finished_at: new Date(finishedAt).toISOString(),
    latency_ms: finishedAt - startedAt,
  };
}
