import { type Broker, defineScripts, type Job, type RedisConnection } from '@switchyard/broker';
import type { Config } from '@switchyard/config';
import { DelayedError, Queue, Worker } from 'bullmq';
import type { BatchContext } from './batch-context.ts';
import { BatchError } from './batch-error.ts';
import { lineIndexOf, newBatchId, parseResultFileId, type ResultKind } from './batch-ids.ts';
import { type BatchKeys, createBatchKeys } from './batch-keys.ts';
import type { FileObject, FileStore } from './create-file-store.ts';
import { findUnknownRoutes, unknownRoute } from './find-unknown-routes.ts';
import { finishBatch } from './finish-batch.ts';
import { type ListOptions, type ListPage, listNewestFirst } from './list-newest-first.ts';
import { BATCH_ENDPOINT } from './parse-request-line.ts';
import { readResultPages } from './read-results.ts';
import { type BatchTask, runBatch } from './run-batch.ts';
import { type Batch, toBatch } from './to-batch.ts';

/** The only completion window, as in the OpenAI API. */
const COMPLETION_WINDOW = '24h';
const COMPLETION_WINDOW_MS = 86_400_000;
/** Lines submitted (or cancelled) per page of the batch-submit task. */
const DEFAULT_PAGE_SIZE = 500;
/** A batch still `validating` this long after creation lost its submit task: queue it again. */
const STALE_VALIDATING_MS = 30_000;
const MAX_METADATA_PAIRS = 16;

export interface CreateBatchParams {
  /** A `purpose: batch` file of this tenant; or give `requests`. */
  input_file_id?: string;
  /** Inline request lines, each shaped like a file line (`custom_id`, `method`, `url`, `body`). */
  requests?: unknown[];
  endpoint: string;
  completion_window: string;
  metadata?: Record<string, string> | null;
  /** Overrides every line's `body.model` (and may stand in for it in inline requests). */
  route?: string;
  /** Epoch ms: the deadline of every job; default: the configured batch deadline from creation. */
  deadline?: number;
  callback_url?: string;
}

export interface BatchesOptions {
  /** Commands connection; BullMQ duplicates it for its blocking calls (maxRetriesPerRequest: null). */
  redis: RedisConnection;
  prefix: string;
  /** `config.redis.cluster`: the connection is a Redis Cluster (the queue gets a slot of its own). */
  cluster?: boolean;
  broker: Broker;
  files: FileStore;
  /** How long a finished batch (and its input file) is kept. */
  retentionMs: number;
  /**
   * Runs at least once when a batch ends: status `completed` — or `cancelled` or `failed`
   * (check `batch.status`). Throwing makes it run again later.
   */
  onCompleted?: (batch: Batch, tenant: string) => Promise<void>;
  /** Lines per submission page (default 500). */
  pageSize?: number;
  /** Called after each submitted page with the number of lines submitted so far. */
  onProgress?: (batchId: string, submitted: number) => void | Promise<void>;
}

export interface Batches {
  readonly keys: BatchKeys;
  /** Creates a batch (`validating`); its lines are submitted by the `batch-submit` workers. */
  create(tenant: string, params: CreateBatchParams): Promise<Batch>;
  get(tenant: string, id: string): Promise<Batch | undefined>;
  list(tenant: string, options?: ListOptions): Promise<ListPage<Batch>>;
  /** `cancelling` now, `cancelled` once every job is terminal; a finished batch is returned as is. */
  cancel(tenant: string, id: string): Promise<Batch | undefined>;
  /** Counts a finished job of a batch, once; call it from the broker's `onTerminal`. */
  onJobTerminal(job: Job): Promise<void>;
  /** Output file lines (JSONL, without `\n`) of the jobs that succeeded so far. */
  readOutput(tenant: string, batchId: string): AsyncIterable<string>;
  /** Error file lines of the requests that failed or were refused so far. */
  readErrors(tenant: string, batchId: string): AsyncIterable<string>;
  /** Runs the `batch-submit` worker in this process. */
  startWorkers(options?: { concurrency?: number }): Promise<void>;
  close(): Promise<void>;
}

export function createBatches(options: BatchesOptions): Batches {
  const { redis, broker, files, retentionMs } = options;
  const keys = createBatchKeys(options.prefix, { cluster: options.cluster });
  const scripts = defineScripts(redis, {
    transition: new URL('./transition-batch-1.lua', import.meta.url),
    countLines: new URL('./count-lines-2.lua', import.meta.url),
  });
  const queue = new Queue<{ batchId: string }, void, BatchTask>(keys.submitQueue, {
    connection: redis,
    prefix: keys.queuePrefix,
  });
  let worker: Worker<{ batchId: string }, void, BatchTask> | undefined;
  let closing = false;

  const context: BatchContext = {
    redis,
    keys,
    broker,
    files,
    retentionMs,
    runningTtlMs: COMPLETION_WINDOW_MS + retentionMs,
    pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    onCompleted: options.onCompleted,
    onProgress: options.onProgress,

    async load(batchId) {
      const hash = await redis.hgetall(keys.batch(batchId));
      return hash.id === undefined ? undefined : hash;
    },

    async transition(batchId, from, to, fields = {}) {
      const pairs = Object.entries(fields).flatMap(([field, value]) => [field, String(value)]);
      const [applied] = await scripts.transition<[number, string?]>(
        [keys.batch(batchId)],
        [from.join(','), to, ...pairs],
      );
      return applied === 1;
    },

    countLines: (batchId, counter, indexes) =>
      scripts.countLines<number>([keys.batch(batchId), keys.batchCounted(batchId)], [counter, ...indexes]),
  };

  async function loadFor(tenant: string, batchId: string): Promise<Record<string, string> | undefined> {
    const hash = await context.load(batchId);
    return hash?.tenant === tenant ? hash : undefined;
  }

  function enqueue(task: BatchTask, batchId: string): Promise<unknown> {
    return queue.add(
      task,
      { batchId },
      {
        jobId: `${batchId}-${task}`,
        attempts: 25,
        backoff: { type: 'exponential', delay: 1_000 },
        removeOnComplete: true,
        removeOnFail: { age: 7 * 86_400 },
      },
    );
  }

  async function get(tenant: string, id: string): Promise<Batch | undefined> {
    const hash = await loadFor(tenant, id);
    if (!hash) return undefined;
    if (hash.status === 'validating' && Date.now() - Number(hash.created_at) > STALE_VALIDATING_MS) {
      // Created, but the process died before queueing its submission (a no-op when queued).
      await enqueue('submit', id);
    }
    return toBatch(hash);
  }

  async function* readResults(tenant: string, batchId: string, kind: ResultKind): AsyncGenerator<string> {
    const batch = await loadFor(tenant, batchId);
    if (!batch) throw new BatchError('not_found', `No batch ${batchId}`);
    for await (const page of readResultPages(context, batch)) yield* page[kind];
  }

  async function resultFile(tenant: string, id: string): Promise<FileObject | undefined> {
    const parsed = parseResultFileId(id);
    const batch = parsed && (await loadFor(tenant, parsed.batchId));
    if (!parsed || !batch) return undefined;
    const fields = RESULT_FILE_FIELDS[parsed.kind];
    if (batch[fields.id] !== id) return undefined;
    return {
      id,
      object: 'file',
      bytes: Number(batch[fields.bytes] ?? 0),
      created_at: Math.floor(Number(batch.completed_at ?? batch.cancelled_at) / 1000),
      filename: `${parsed.batchId}_${fields.name}.jsonl`,
      purpose: 'batch_output',
      status: 'processed',
    };
  }

  const removeGeneratedFiles = files.addGeneratedFiles({
    handles: (id) => parseResultFileId(id) !== undefined,
    get: resultFile,
    async *readLines(tenant, id) {
      if (!(await resultFile(tenant, id))) throw new BatchError('not_found', `No file ${id}`);
      const parsed = parseResultFileId(id)!;
      yield* readResults(tenant, parsed.batchId, parsed.kind);
    },
  });

  return {
    keys,

    async create(tenant, params) {
      checkParams(params);
      checkRoutes(broker.config, params);
      const id = newBatchId();
      let inputFileId = params.input_file_id;
      // Refused up front when the lines could not all be queued now (queue_full); each line
      // is then counted as it is submitted, and one past the limit then fails alone.
      if (params.requests) await broker.tenantLimits.checkRoomForJobs(tenant, params.requests.length);
      if (params.requests) {
        const file = await files.createFromLines(
          tenant,
          { filename: `${id}_requests.jsonl`, purpose: 'batch' },
          inlineLines(params.requests, params.route),
        );
        inputFileId = file.id;
      }
      const total = await files.lineCount(tenant, inputFileId!);
      if (total === undefined)
        throw new BatchError('file_not_found', `No file ${inputFileId}`, { field: 'input_file_id' });
      if (!params.requests) await broker.tenantLimits.checkRoomForJobs(tenant, total);
      await files.keep(inputFileId!, context.runningTtlMs);

      const now = Date.now();
      const hash: Record<string, string> = {
        id,
        tenant,
        status: 'validating',
        endpoint: params.endpoint,
        input_file_id: inputFileId!,
        completion_window: params.completion_window,
        created_at: String(now),
        expires_at: String(now + COMPLETION_WINDOW_MS),
        total: String(total),
        completed: '0',
        failed: '0',
        cursor: '0',
      };
      if (params.metadata) hash.metadata = JSON.stringify(params.metadata);
      if (params.route) hash.route = params.route;
      if (params.deadline !== undefined) hash.deadline = String(params.deadline);
      if (params.callback_url) hash.callback_url = params.callback_url;
      // Two transactions, one per Redis Cluster slot: the batch (`{batch id}`), then the
      // tenant's index; a crash between them leaves a batch that is not listed (`get` still
      // finds and resumes it), never an index entry without its batch. Readers drop index
      // entries whose batch is gone (listNewestFirst).
      await redis.multi().hset(keys.batch(id), hash).pexpire(keys.batch(id), context.runningTtlMs).exec();
      await redis
        .multi()
        .zadd(keys.tenantBatches(tenant), now, id)
        .zremrangebyscore(keys.tenantBatches(tenant), '-inf', now - context.runningTtlMs)
        .pexpire(keys.tenantBatches(tenant), context.runningTtlMs)
        .exec();
      await enqueue('submit', id);
      return toBatch(hash);
    },

    get,

    list: (tenant, listOptions = {}) =>
      listNewestFirst(redis, keys.tenantBatches(tenant), listOptions, (ids) =>
        Promise.all(ids.map(async (id) => mapDefined(await context.load(id), toBatch))),
      ),

    async cancel(tenant, id) {
      if (!(await loadFor(tenant, id))) return undefined;
      if (
        await context.transition(id, ['validating', 'in_progress'], 'cancelling', {
          cancelling_at: Date.now(),
        })
      )
        await enqueue('cancel', id);
      return get(tenant, id);
    },

    async onJobTerminal(job) {
      if (!job.batch_id) return;
      const index = lineIndexOf(job.id, job.batch_id);
      if (index === undefined) return;
      if (job.status === 'succeeded') await context.countLines(job.batch_id, 'completed', [index]);
      else if (job.status === 'failed' || job.status === 'cancelled')
        await context.countLines(job.batch_id, 'failed', [index]);
      else return;
      await finishBatch(context, job.batch_id);
    },

    readOutput: (tenant, batchId) => readResults(tenant, batchId, 'output'),
    readErrors: (tenant, batchId) => readResults(tenant, batchId, 'errors'),

    async startWorkers(workerOptions = {}) {
      if (worker) return;
      worker = new Worker<{ batchId: string }, void, BatchTask>(
        keys.submitQueue,
        async (queued, token) => {
          const outcome = await runBatch(context, queued.data.batchId, queued.name, () => closing);
          if (outcome === 'interrupted') {
            // Closing: hand the task back (no attempt spent); a worker resumes it from its cursors.
            await queued.moveToDelayed(Date.now(), token);
            throw new DelayedError();
          }
        },
        { connection: redis, prefix: keys.queuePrefix, concurrency: workerOptions.concurrency ?? 4 },
      );
      worker.on('error', () => {
        // Connection errors are retried by ioredis and BullMQ; without a listener Node would crash.
      });
    },

    async close() {
      closing = true;
      await worker?.close();
      await queue.close();
      removeGeneratedFiles();
    },
  };
}

/** Where a batch record keeps each result file's id and size. */
const RESULT_FILE_FIELDS = {
  output: { id: 'output_file_id', bytes: 'output_bytes', name: 'output' },
  errors: { id: 'error_file_id', bytes: 'error_bytes', name: 'error' },
} as const;

const mapDefined = <T, R>(value: T | undefined, map: (value: T) => R): R | undefined =>
  value === undefined ? undefined : map(value);

/** Inline requests as file lines; a batch `route` stands in for a missing `body.model`. */
function* inlineLines(requests: unknown[], route: string | undefined): Generator<string> {
  for (const request of requests) {
    const body = (request as { body?: unknown } | null)?.body;
    if (route && typeof body === 'object' && body !== null && !('model' in body)) {
      yield JSON.stringify({ ...(request as object), body: { ...body, model: route } });
    } else {
      yield JSON.stringify(request) ?? 'null';
    }
  }
}

/**
 * A batch that names an unknown route (or inline requests that name unknown models) would
 * fail every line: it is refused at once. A file's lines are checked while it validates.
 */
function checkRoutes(config: Config, params: CreateBatchParams): void {
  if (params.route !== undefined) {
    const problem = unknownRoute(config, params.route);
    if (problem) throw new BatchError('unknown_route', `route: ${problem}`, { field: 'route' });
    return;
  }
  if (!params.requests) return;
  const problems = findUnknownRoutes(config, inlineLines(params.requests, undefined));
  if (problems.length > 0)
    throw new BatchError(
      'invalid_file',
      `${problems.length} request(s) name no configured route or provider/model, first on line ${problems[0]!.line}`,
      problems,
    );
}

function checkParams(params: CreateBatchParams): void {
  const invalid = (field: string, message: string) =>
    new BatchError('invalid_request', `${field}: ${message}`, { field });
  if ((params.input_file_id === undefined) === (params.requests === undefined))
    throw invalid('input_file_id', 'give either input_file_id or requests');
  if (params.requests !== undefined && (!Array.isArray(params.requests) || params.requests.length === 0))
    throw invalid('requests', 'expected a non-empty array of request lines');
  if (params.endpoint !== BATCH_ENDPOINT) throw invalid('endpoint', `only ${BATCH_ENDPOINT} is supported`);
  if (params.completion_window !== COMPLETION_WINDOW)
    throw invalid('completion_window', `only "${COMPLETION_WINDOW}" is supported`);
  if (params.metadata !== undefined && params.metadata !== null) {
    const entries = typeof params.metadata === 'object' ? Object.entries(params.metadata) : [];
    if (
      typeof params.metadata !== 'object' ||
      entries.length > MAX_METADATA_PAIRS ||
      entries.some(([key, value]) => key.length > 64 || typeof value !== 'string' || value.length > 512)
    ) {
      throw invalid(
        'metadata',
        `up to ${MAX_METADATA_PAIRS} pairs of keys (<= 64 chars) and strings (<= 512)`,
      );
    }
  }
  if (params.route !== undefined && (typeof params.route !== 'string' || params.route.trim() === ''))
    throw invalid('route', 'expected a route name or provider/model');
  if (params.deadline !== undefined && !(Number.isFinite(params.deadline) && params.deadline > Date.now()))
    throw invalid('deadline', 'expected a time in the future');
  if (params.callback_url !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(params.callback_url).protocol;
    } catch {}
    if (protocol !== 'https:' && protocol !== 'http:')
      throw invalid('callback_url', 'expected an http(s) URL');
  }
}
