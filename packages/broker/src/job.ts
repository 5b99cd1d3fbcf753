import type { ChatMessage, FinishReason, GenerationOptions, ToolCall } from '@switchyard/spec';
import type { PersonalDataKind } from './detect-personal-data.ts';
import type { AttemptOutcome } from './outcome-policy.ts';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export const SENSITIVITIES = ['public', 'internal', 'confidential'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** Interactive jobs go ahead of batch jobs in every queue. */
export const PRIORITIES = ['interactive', 'batch'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What is sent to the provider: the messages and every option that shapes the answer. */
export interface JobInput extends GenerationOptions {
  messages: ChatMessage[];
}

/** What a client asks for, after validation (the HTTP layer maps its JSON onto this). */
export interface JobRequest extends JobInput {
  tenant: string;
  /** A route name, or `provider/model` for one target. */
  route: string;
  sensitivity?: Sensitivity;
  priority?: Priority;
  /** Epoch milliseconds; defaults per priority from the configuration. */
  deadline?: number;
  callbackUrl?: string;
  metadata?: Record<string, unknown>;
  /** Caller-chosen id (idempotent submission); generated when absent. */
  id?: string;
  /** Relay the answer's text as it arrives (`keys.jobStream`), for server-sent events. */
  stream?: boolean;
  /**
   * A client waits on the connection for the answer: without a deadline of its own, the job
   * waits on each target only `scheduling.syncWait` before moving on.
   */
  sync?: boolean;
  /** The batch this job belongs to, and its line's `custom_id`. */
  batchId?: string;
  customId?: string;
}

export interface PlanTarget {
  provider: string;
  model: string;
}

export interface JobResult {
  content: string;
  tool_calls?: ToolCall[];
  finish_reason: FinishReason;
  provider: string;
  model: string;
  usage: { input_tokens: number; output_tokens: number };
  cost_usd: number;
  latency_ms: number;
}

export interface JobError {
  code: string;
  message: string;
}

/** One call to a provider, or one decision not to wait for it (`outcome: 'skipped'`). */
export interface Attempt {
  provider: string;
  model: string;
  outcome: 'succeeded' | 'skipped' | AttemptOutcome;
  error?: JobError;
  started_at: string;
  finished_at: string;
  latency_ms: number;
}

/** The job as stored in Redis and shown to clients. */
export interface Job {
  id: string;
  tenant: string;
  status: JobStatus;
  route: string;
  priority: Priority;
  sensitivity: Sensitivity;
  /** The ordered targets this job may use; `target` is the index it is on now. */
  plan: PlanTarget[];
  target: number;
  /** Calls made on the current target (reset when the job moves). */
  tries: number;
  deadline: number;
  request: JobInput;
  callback_url?: string;
  metadata?: Record<string, unknown>;
  batch_id?: string;
  custom_id?: string;
  stream?: boolean;
  /** A synchronous call's patience: how long it waits on one target before moving on. */
  sync_wait_ms?: number;
  /** Kinds of personal data found in the prompt (when detection is on); never the data. */
  personal_data?: PersonalDataKind[];
  result?: JobResult;
  error?: JobError;
  attempts: Attempt[];
  created_at: string;
  completed_at?: string;
}
