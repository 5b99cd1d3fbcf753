/**
 * Every queue name and Redis key of files and batches, in one place.
 *
 * A file's keys share the `{file id}` hash tag and a batch's keys the `{batch id}` tag, so
 * the Lua scripts that touch several of them also run on Redis Cluster.
 */
export interface BatchKeys {
  prefix: string;
  /** BullMQ's prefix for every queue: `{prefix}`, one hash tag, so a queue's keys share a slot. */
  readonly queuePrefix: string;
  /** BullMQ queue that submits a batch's lines and walks them on cancel. */
  readonly submitQueue: string;
  /** File record (hash: the OpenAI file object plus `tenant` and `lines`). */
  file(fileId: string): string;
  /** File content: a list, one JSONL line per element. */
  fileLines(fileId: string): string;
  /** A tenant's files (sorted set, scored by creation time in ms). */
  tenantFiles(tenant: string): string;
  /** Batch record (hash): the batch object's fields, counters and submission cursors. */
  batch(batchId: string): string;
  /** One bit per line index: set once the line has been counted as completed or failed. */
  batchCounted(batchId: string): string;
  /** Lines the broker refused, for one page of line indexes (hash: index -> JSON error). */
  batchRefused(batchId: string, page: number): string;
  /** Lease (string with a TTL) held by the one caller running a finished batch's `onCompleted`. */
  batchNotifying(batchId: string): string;
  /** A tenant's batches (sorted set, scored by creation time in ms). */
  tenantBatches(tenant: string): string;
}

export const BATCH_SUBMIT_QUEUE = 'batch-submit';

export function createBatchKeys(prefix: string): BatchKeys {
  return {
    prefix,
    queuePrefix: `{${prefix}}`,
    submitQueue: BATCH_SUBMIT_QUEUE,
    file: (fileId) => `${prefix}:file:{${fileId}}`,
    fileLines: (fileId) => `${prefix}:file:{${fileId}}:lines`,
    tenantFiles: (tenant) => `${prefix}:files:${tenant}`,
    batch: (batchId) => `${prefix}:batch:{${batchId}}`,
    batchCounted: (batchId) => `${prefix}:batch:{${batchId}}:counted`,
    batchRefused: (batchId, page) => `${prefix}:batch:{${batchId}}:refused:${page}`,
    batchNotifying: (batchId) => `${prefix}:batch:{${batchId}}:notifying`,
    tenantBatches: (tenant) => `${prefix}:batches:${tenant}`,
  };
}
