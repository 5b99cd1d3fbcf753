export { BrokerError } from './broker-error.ts';
export * from './budgets/index.ts';
export { type Broker, type BrokerOptions, createBroker } from './create-broker.ts';
export {
  detectPersonalData,
  isValidIban,
  PERSONAL_DATA_KINDS,
  type PersonalDataKind,
  passesLuhn,
} from './detect-personal-data.ts';
export type { AttemptEvent, BrokerHooks } from './dispatcher.ts';
export { estimateInputTokens } from './estimate-tokens.ts';
export * from './health/index.ts';
export {
  type Attempt,
  JOB_STATUSES,
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
export type { JobStreamDelta, JobStreamEvent } from './job-stream.ts';
export { createKeys, type Keys } from './keys.ts';
export {
  type AttemptOutcome,
  type Decision,
  decide,
  httpStatusOf,
  isAttemptOutcome,
  type Next,
  OUTCOME_POLICY,
  type Policy,
  pauseMsOf,
} from './outcome-policy.ts';
export {
  admits,
  type Plan,
  type PlanChecks,
  planRoute,
  REQUIRED_POLICY,
  type RejectedTarget,
} from './plan-route.ts';
export { LIMITER, QUEUE_PRIORITY } from './queues.ts';
export { defineScripts, type LuaScript, type ScriptArgument } from './scripts/define-scripts.ts';
export { newJobId, type SubmitOptions } from './submit.ts';
