export { BatchError, type LineProblem } from './batch-error.ts';

export { BATCH_SUBMIT_QUEUE, type BatchKeys } from './batch-keys.ts';
export {
  BODY_LIMITS,
  chatCompletionFields,
  checkGenerationFields,
  type GenerationFields,
  generationFields,
  toJobInput,
  unsupportedParameter,
} from './chat-completion-body.ts';
export {
  type Batches,
  type BatchesOptions,
  type CreateBatchParams,
  createBatches,
} from './create-batches.ts';
export {
  createFileStore,
  type FileObject,
  type FileStorage,
  type FileStore,
  type FileStoreOptions,
  type GeneratedFiles,
  MAX_FILE_BYTES,
  MAX_LINE_BYTES,
} from './create-file-store.ts';
export type { ListOptions, ListPage } from './list-newest-first.ts';
export type { BatchRequest } from './parse-request-line.ts';
export { splitLines } from './split-lines.ts';
export {
  BATCH_STATUSES,
  type Batch,
  type BatchErrors,
  type BatchStatus,
} from './to-batch.ts';
export {
  openAIFinishReason,
  servedBy,
  toChatCompletion,
} from './to-result-line.ts';
