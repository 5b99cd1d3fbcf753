import { randomBytes } from 'node:crypto';

/** Every id a batch hands out, and how each is read back. All match /^[A-Za-z0-9_-]+$/. */

export function newBatchId(): string {
  return `batch_${randomBytes(15).toString('base64url')}`;
}

/**
 * The broker job of line `index` of a batch: deterministic, so submitting a page again after
 * a crash finds the jobs already there instead of making new ones.
 */
export function batchJobId(batchId: string, index: number): string {
  return `${batchId}-${index}`;
}

/** The line index of a batch's job, or undefined when the job is not one of the batch's. */
export function lineIndexOf(jobId: string, batchId: string): number | undefined {
  if (!jobId.startsWith(`${batchId}-`)) return undefined;
  const index = Number(jobId.slice(batchId.length + 1));
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/** The `id` of a line of the output or error file (`batch_req_…`). */
export function batchRequestId(batchId: string, index: number): string {
  return `batch_req_${batchId.replace(/^batch_/, '')}-${index}`;
}

export type ResultKind = 'output' | 'errors';

/** The id of a batch's output or error file: built when read, never stored. */
export function resultFileId(batchId: string, kind: ResultKind): string {
  return `file-${batchId}-${kind}`;
}

const RESULT_FILE = /^file-(batch_[A-Za-z0-9_-]+)-(output|errors)$/;

export function parseResultFileId(id: string): { batchId: string; kind: ResultKind } | undefined {
  const match = RESULT_FILE.exec(id);
  return match ? { batchId: match[1]!, kind: match[2] as ResultKind } : undefined;
}
