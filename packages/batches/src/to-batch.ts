export const BATCH_STATUSES = [
  'validating',
  'failed',
  'in_progress',
  'finalizing',
  'completed',
  'expired',
  'cancelling',
  'cancelled',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export const TERMINAL_BATCH_STATUSES: ReadonlySet<string> = new Set([
  'failed',
  'completed',
  'expired',
  'cancelled',
]);

export interface BatchErrors {
  object: 'list';
  data: { code: string; message: string; line?: number | null; param?: string | null }[];
}

/** The OpenAI batch object, plus Switchyard's `route`, `deadline` and `callback_url`. */
export interface Batch {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: BatchErrors | null;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  /** Every time is in unix seconds, `deadline` included. */
  created_at: number;
  in_progress_at: number | null;
  expires_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
  /** Overrides every line's `body.model` when set. */
  route: string | null;
  /** The deadline given to every job; null: the configured default for batch jobs. */
  deadline: number | null;
  /** Where `batch.completed` is sent. */
  callback_url: string | null;
}

const seconds = (ms: string | undefined) => (ms ? Math.floor(Number(ms) / 1000) : null);

/** The batch object from its Redis hash (times are stored in epoch ms). */
export function toBatch(hash: Record<string, string>): Batch {
  return {
    id: hash.id!,
    object: 'batch',
    endpoint: hash.endpoint!,
    errors: hash.errors ? (JSON.parse(hash.errors) as BatchErrors) : null,
    input_file_id: hash.input_file_id!,
    completion_window: hash.completion_window!,
    status: hash.status as BatchStatus,
    output_file_id: hash.output_file_id || null,
    error_file_id: hash.error_file_id || null,
    created_at: seconds(hash.created_at)!,
    in_progress_at: seconds(hash.in_progress_at),
    expires_at: seconds(hash.expires_at),
    finalizing_at: seconds(hash.finalizing_at),
    completed_at: seconds(hash.completed_at),
    failed_at: seconds(hash.failed_at),
    expired_at: seconds(hash.expired_at),
    cancelling_at: seconds(hash.cancelling_at),
    cancelled_at: seconds(hash.cancelled_at),
    request_counts: {
      total: Number(hash.total ?? 0),
      completed: Number(hash.completed ?? 0),
      failed: Number(hash.failed ?? 0),
    },
    metadata: hash.metadata ? (JSON.parse(hash.metadata) as Record<string, string>) : null,
    route: hash.route || null,
    deadline: seconds(hash.deadline),
    callback_url: hash.callback_url || null,
  };
}
