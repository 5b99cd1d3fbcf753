import type { Job } from '../job.ts';

/**
 * The name each field of a job has in its record (the hash): two letters, not the job's own
 * names. Every record holds a dozen fields, and a record in Redis's compact listpack encoding
 * stores each name in full: the long names took ~100 bytes of a ~700-byte record (measured in
 * `pnpm bench memory`, docs/benchmarks.md). `transition` is the store's own bookkeeping (the
 * last applied transition's id). transition-2.lua reads `st`, `tg`, `tr`, `id`, `tx`, `tn`
 * and `rs` by these names.
 */
export const STORED_NAMES = {
  id: 'id',
  tenant: 'tn',
  status: 'st',
  route: 'rt',
  priority: 'pr',
  sensitivity: 'sn',
  plan: 'pl',
  target: 'tg',
  tries: 'tr',
  deadline: 'dl',
  request: 'rq',
  callback_url: 'cb',
  metadata: 'md',
  batch_id: 'bi',
  custom_id: 'ci',
  stream: 'sm',
  sync_wait_ms: 'sw',
  personal_data: 'pd',
  result: 'rs',
  error: 'er',
  created_at: 'ca',
  started_at: 'sa',
  completed_at: 'co',
  transition: 'tx',
} as const satisfies Record<Exclude<keyof Job, 'attempts'> | 'started_at' | 'transition', string>;

export type RecordField = keyof typeof STORED_NAMES;

const FIELD_OF: ReadonlyMap<string, string> = new Map(
  Object.entries(STORED_NAMES).map(([field, stored]) => [stored, field]),
);

/** The record's name for a job field. */
export function storedName(field: string): string {
  return STORED_NAMES[field as RecordField] ?? field;
}

/** The job field a record's name stands for. */
export function fieldOf(stored: string): string {
  return FIELD_OF.get(stored) ?? stored;
}
