import type { Broker, RedisConnection } from '@switchyard/broker';
import type { BatchKeys } from './batch-keys.ts';
import type { FileStore } from './create-file-store.ts';
import type { Batch, BatchStatus } from './to-batch.ts';

/** What the batch runner, reader and finisher share, made once by `createBatches`. */
export interface BatchContext {
  readonly redis: RedisConnection;
  readonly keys: BatchKeys;
  readonly broker: Broker;
  readonly files: FileStore;
  readonly retentionMs: number;
  /** TTL of a batch's keys until it ends: the completion window plus the retention. */
  readonly runningTtlMs: number;
  readonly pageSize: number;
  readonly onCompleted?: (batch: Batch, tenant: string) => Promise<void>;
  readonly onProgress?: (batchId: string, submitted: number) => void | Promise<void>;
  load(batchId: string): Promise<Record<string, string> | undefined>;
  /** Sets status and fields when the status is one of `from`; `to: ''` keeps the status. */
  transition(
    batchId: string,
    from: BatchStatus[],
    to: BatchStatus | '',
    fields?: Record<string, string | number>,
  ): Promise<boolean>;
  /** Counts lines as completed or failed, each at most once. */
  countLines(batchId: string, counter: 'completed' | 'failed', indexes: number[]): Promise<number>;
}
