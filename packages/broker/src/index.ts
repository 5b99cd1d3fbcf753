export { BrokerError } from './broker-error.ts';
export * from './budgets/index.ts';
export {
  type AttemptEvent,
  type Broker,
  type BrokerHooks,
  type BrokerOptions,
  createBroker,
  newJobId,
} from './create-broker.ts';
export { createProviderAdapters } from './create-provider-adapters.ts';
export { type Decision, decideAfterFailure, providerPauseMs } from './decide-after-failure.ts';
export {
  detectPersonalData,
  isValidIban,
  PERSONAL_DATA_KINDS,
  type PersonalDataKind,
  passesLuhn,
} from './detect-personal-data.ts';
export { estimateInputTokens } from './estimate-tokens.ts';
export * from './health/index.ts';
export {
  type Attempt,
  JOB_STATUSES,
  type Job,
  type JobError,
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
export { createKeys, type Keys } from './keys.ts';
export {
  admits,
  type Plan,
  type PlanChecks,
  planRoute,
  REQUIRED_POLICY,
  type RejectedTarget,
} from './plan-route.ts';
export { LIMITER, QUEUE_PRIORITY } from './queue-settings.ts';
