import { queuePrefixOf } from '@switchyard/broker';

/**
 * Every queue name and Redis key of files and batches, in one place.
 *
 * A file's keys share the `{file id}` hash tag and a batch's keys the `{batch id}` tag, so
 * the Lua scripts and MULTIs that touch several of them also run on Redis Cluster. A tenant's
 * indexes carry no tag (they spread by tenant): nothing writes them in one step with a file
 * or a batch.
 */
export interface BatchKeys {
  prefix: string;
  /**
   * BullMQ's prefix for the submit queue, a hash tag so the queue's keys share a slot: `{prefix}`
   * on a standalone Redis, `{prefix:batch-submit}` on a cluster (a slot of its own).
   */
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

export function createBatchKeys(prefix: string, options: { cluster?: boolean } = {}): BatchKeys {
  return {
    prefix,
    queuePrefix: queuePrefixOf(prefix, options.cluster ?? false, BATCH_SUBMIT_QUEUE),
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
