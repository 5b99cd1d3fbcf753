export {
  type BackoffState,
  DEFAULT_BACKOFF,
  type ProviderBackoff,
} from './backoff/create-provider-backoff.ts';
export { configHashOf, type SpentCap, type SpentCaps } from './backoff/create-spent-caps.ts';
export { BrokerError } from './broker-error.ts';
export * from './budgets/index.ts';
export { type Broker, type BrokerOptions, createBroker } from './create-broker.ts';
export { createRedis, type RedisConnection } from './create-redis.ts';
export {
  PERSONAL_DATA_KINDS,
  type PersonalDataKind,
} from './detect-personal-data.ts';
export type { AttemptEvent, BrokerHooks } from './dispatcher.ts';
export { PROMOTE_AHEAD_MS } from './dispatcher.ts';
export * from './health/index.ts';
export {
  type Attempt,
  type Job,
  type JobError,
  type JobInput,
  type JobRequest,
  type JobResult,
  type JobStatus,
  type PlanTarget,
  PRIORITIES,
  type Priority,
  SENSITIVITIES,
  type Sensitivity,
  TERMINAL_STATUSES,
} from './job.ts';
export { jobOfRecord } from './job-store/create-job-store.ts';
export { STORED_NAMES } from './job-store/record-fields.ts';
export type { JobStreamDelta, JobStreamEvent } from './job-stream.ts';
export { createKeys, type Keys, queuePrefixOf } from './keys.ts';
export {
  type AttemptOutcome,
  type Decision,
  httpStatusOf,
  type Next,
  OUTCOME_POLICY,
  type Policy,
} from './outcome-policy.ts';
export { type Plan, type PlanChecks, type RejectedTarget, resolveRoute } from './plan-route.ts';
export { BANDS, URGENT_PRIORITY, waitingAhead } from './queue-priority.ts';
export { providerUsage, windowLabelOf } from './quota/index.ts';
export { defineScripts, type LuaScript, type ScriptArgument } from './scripts/define-scripts.ts';
export type { SubmitOptions } from './submit.ts';
export type { Sweeper, SweeperSettings, SweepReport } from './sweeper.ts';
export * from './tenant-limits/index.ts';
