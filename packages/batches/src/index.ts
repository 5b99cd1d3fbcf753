export { BatchError, type LineProblem } from './batch-error.ts';
export {
  batchJobId,
  batchRequestId,
  lineIndexOf,
  newBatchId,
  parseResultFileId,
  resultFileId,
} from './batch-ids.ts';
export { BATCH_SUBMIT_QUEUE, type BatchKeys, createBatchKeys } from './batch-keys.ts';
export {
  type Batches,
  type BatchesOptions,
  COMPLETION_WINDOW,
  type CreateBatchParams,
  createBatches,
} from './create-batches.ts';
export {
  createFileStore,
  type FileObject,
  type FileStore,
  type FileStoreOptions,
  type GeneratedFiles,
  MAX_FILE_BYTES,
  MAX_FILE_PROBLEMS,
  MAX_FILE_REQUESTS,
  newFileId,
} from './create-file-store.ts';
export type { ListOptions, ListPage } from './list-newest-first.ts';
export { BATCH_ENDPOINT, type BatchRequest, parseRequestLine } from './parse-request-line.ts';
export {
  BATCH_STATUSES,
  type Batch,
  type BatchErrors,
  type BatchStatus,
  TERMINAL_BATCH_STATUSES,
} from './to-batch.ts';
export { toChatCompletion } from './to-result-line.ts';
