/** The shapes of the HTTP API's answers that the CLI reads (docs/api.md). */

export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  filename: string;
  purpose: string;
}

export type BatchStatus =
  | 'validating'
  | 'in_progress'
  | 'finalizing'
  | 'completed'
  | 'cancelling'
  | 'cancelled'
  | 'failed'
  | 'expired';

export interface Batch {
  id: string;
  status: BatchStatus;
  request_counts: { total: number; completed: number; failed: number };
  output_file_id: string | null;
  error_file_id: string | null;
  errors: unknown;
  route: string | null;
}

export interface CreateBatch {
  input_file_id: string;
  endpoint: '/v1/chat/completions';
  completion_window: '24h';
  route?: string;
  deadline?: string;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Attempt {
  provider: string;
  model: string;
  outcome: string;
  error?: { code: string; message: string };
  started_at: string;
  finished_at: string;
  latency_ms: number;
}

export interface Job {
  id: string;
  status: JobStatus;
  route: string;
  priority: string;
  sensitivity: string;
  deadline: string;
  result?: {
    content: string;
    finish_reason: string;
    provider: string;
    model: string;
    usage: { input_tokens: number; output_tokens: number };
    cost_usd: number;
    latency_ms: number;
  };
  error?: { code: string; message: string };
  attempts: Attempt[];
  batch_id?: string;
  custom_id?: string;
  created_at: string;
  completed_at?: string;
}

export interface ProviderLimit {
  scope: string;
  unit: string;
  max: number;
  /** Window in milliseconds, or a calendar month. */
  per: number | 'month';
  used: number;
  remaining: number;
  reset_ms: number;
}

export interface Provider {
  id: string;
  kind: string;
  tier: string;
  data_policy: string;
  health: string;
  concurrency: number;
  limits: ProviderLimit[];
  queue: { waiting: number; active: number; delayed: number; paused_ms: number };
  latency_ms: number;
}

export interface List<T> {
  object: 'list';
  data: T[];
}
