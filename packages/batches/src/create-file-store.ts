import { createHash, randomBytes } from 'node:crypto';
import type { RedisConnection } from '@switchyard/broker';
import { BatchError, type LineProblem } from './batch-error.ts';
import { type BatchKeys, createBatchKeys } from './batch-keys.ts';
import { type ListOptions, type ListPage, listNewestFirst } from './list-newest-first.ts';
import { parseRequestLine } from './parse-request-line.ts';

/** Limits of a batch input file, as OpenAI documents them. */
export const MAX_FILE_REQUESTS = 50_000;
export const MAX_FILE_BYTES = 200 * 1024 * 1024;
/**
 * The longest line of a batch input file: one line is one job request, so it may be as large
 * as the JSON body of one job (`POST /v1/jobs`, `/v1/chat/completions`), 8 MiB.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Problems reported for one refused file; validation stops after this many. */
export const MAX_FILE_PROBLEMS = 20;

/** Lines (or bytes) written to Redis per RPUSH while an upload streams in. */
const WRITE_CHUNK_LINES = 1_000;
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;
/** Lines read per LRANGE when a file is streamed back. */
const READ_PAGE_LINES = 1_000;
/** An upload that dies half-way leaves its partial content for this long at most. */
const UPLOAD_TTL_MS = 3_600_000;
/** Listing indexes keep entries this much longer than the files' retention. */
const INDEX_SLACK_MS = 86_400_000;

/** The OpenAI file object. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  /** Unix seconds. */
  created_at: number;
  filename: string;
  /** `batch` for uploads, `batch_output` for a batch's output and error files. */
  purpose: 'batch' | 'batch_output';
  status: 'processed';
}

/** Files that are not stored but built when read (a batch's output and error files). */
export interface GeneratedFiles {
  handles(id: string): boolean;
  get(tenant: string, id: string): Promise<FileObject | undefined>;
  /** Throws `BatchError('not_found')` when `get` would answer undefined. */
  readLines(tenant: string, id: string): AsyncIterable<string>;
}

/** A tenant's storage limit, as the file store needs it (the broker's tenant limits). */
export interface FileStorage {
  /** The bytes the tenant may still store; throws (`storage_exhausted`) when none. */
  storageLeft(tenant: string): Promise<number>;
  /** Counts a file of `bytes` until `expiresAt`; throws (`storage_exhausted`) when it would not fit. */
  admitFile(tenant: string, id: string, bytes: number, expiresAt: number): Promise<void>;
  /** Stops counting a file. */
  release(tenant: string, id: string): Promise<void>;
}

export interface FileStoreOptions {
  redis: RedisConnection;
  prefix: string;
  /** `config.redis.cluster` (the file store has no queue; its keys are the same either way). */
  cluster?: boolean;
  /** How long an uploaded file is kept. */
  retentionMs: number;
  /** Counts each stored file against its tenant's storage limit; none: no limit. */
  storage?: FileStorage;
}

export interface FileStore {
  readonly keys: BatchKeys;
  /**
   * Validates and stores a JSONL file streamed in as lines (without their `\n`), in chunks:
   * neither Redis nor this process ever holds the whole file in one value. Blank lines are
   * skipped. Throws `BatchError('invalid_file')` listing the first problems by line number,
   * and then nothing of the file is left stored.
   */
  createFromLines(
    tenant: string,
    options: { filename: string; purpose: 'batch' },
    lines: AsyncIterable<string> | Iterable<string>,
  ): Promise<FileObject>;
  /** The file, or undefined when it does not exist for this tenant. */
  get(tenant: string, id: string): Promise<FileObject | undefined>;
  /** Number of request lines of a stored file of this tenant. */
  lineCount(tenant: string, id: string): Promise<number | undefined>;
  /** The file's JSONL lines (without `\n`), paged from Redis; `BatchError('not_found')` if absent. */
  readLines(tenant: string, id: string): AsyncIterable<string>;
  /** Lines `start .. start + count - 1` of a stored file (no tenant check: for the batch runner). */
  readPage(id: string, start: number, count: number): Promise<string[]>;
  list(tenant: string, options?: ListOptions): Promise<ListPage<FileObject>>;
  /** Deletes a stored file of this tenant (an upload refused after it was stored). */
  remove(tenant: string, id: string): Promise<void>;
  /** Keeps a stored file at least `ms` from now (a batch still needs it). */
  keep(id: string, ms: number): Promise<void>;
  /** Serves generated files' ids through `get` and `readLines`; returns a function to stop. */
  addGeneratedFiles(source: GeneratedFiles): () => void;
}

function newFileId(): string {
  return `file-${randomBytes(18).toString('base64url')}`;
}

export function createFileStore(options: FileStoreOptions): FileStore {
  const { redis, retentionMs } = options;
  const keys = createBatchKeys(options.prefix, { cluster: options.cluster });
  const generated = new Set<GeneratedFiles>();
  const sourceOf = (id: string) => [...generated].find((source) => source.handles(id));

  async function load(tenant: string, id: string): Promise<Record<string, string> | undefined> {
    const hash = await redis.hgetall(keys.file(id));
    return hash.id !== undefined && hash.tenant === tenant ? hash : undefined;
  }

  function toFileObject(hash: Record<string, string>): FileObject {
    return {
      id: hash.id!,
      object: 'file',
      bytes: Number(hash.bytes),
      created_at: Math.floor(Number(hash.created_at) / 1000),
      filename: hash.filename!,
      purpose: 'batch',
      status: 'processed',
    };
  }

  async function get(tenant: string, id: string): Promise<FileObject | undefined> {
    const source = sourceOf(id);
    if (source) return source.get(tenant, id);
    const hash = await load(tenant, id);
    return hash && toFileObject(hash);
  }

  return {
    keys,

    async createFromLines(tenant, { filename, purpose }, lines) {
      if (purpose !== 'batch')
        throw new BatchError('invalid_request', 'purpose: only "batch" files can be uploaded');
      // Refused at once when nothing is left, and as soon as the file passes what is left.
      const storageLeft = (await options.storage?.storageLeft(tenant)) ?? Number.POSITIVE_INFINITY;
      const id = newFileId();
      const linesKey = keys.fileLines(id);
      let admitted = false;
      const problems: LineProblem[] = [];
      // custom_id -> first line, by a 96-bit digest: bounded memory however long the ids are.
      const seen = new Map<string, number>();
      let lineNumber = 0;
      let requests = 0;
      let bytes = 0;
      let chunk: string[] = [];
      let chunkBytes = 0;

      const flush = async () => {
        if (chunk.length === 0) return;
        const values = chunk;
        chunk = [];
        chunkBytes = 0;
        await redis
          .multi()
          .rpush(linesKey, ...values)
          .pexpire(linesKey, UPLOAD_TTL_MS)
          .exec();
      };
      const problem = (line: number, message: string) => {
        problems.push({ line, message });
        chunk = [];
      };

      try {
        for await (const raw of lines) {
          lineNumber++;
          const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
          const lineBytes = Buffer.byteLength(line) + 1;
          bytes += lineBytes;
          if (bytes > MAX_FILE_BYTES) {
            problem(lineNumber, `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
            break;
          }
          if (lineBytes > MAX_LINE_BYTES + 1) {
            problem(lineNumber, `the line is longer than ${MAX_LINE_BYTES} bytes`);
            break;
          }
          if (bytes > storageLeft) {
            throw new BatchError(
              'storage_exhausted',
              `The file does not fit in what is left of the tenant's storage (${storageLeft} bytes)`,
            );
          }
          if (line.trim() === '') continue;
          if (++requests > MAX_FILE_REQUESTS) {
            problem(lineNumber, `the file has more than ${MAX_FILE_REQUESTS} requests`);
            break;
          }
          const parsed = parseRequestLine(line);
          if (!parsed.ok) {
            problem(lineNumber, parsed.message);
          } else {
            const customId = parsed.request.customId;
            const digest = createHash('sha256').update(customId).digest('base64url').slice(0, 16);
            const first = seen.get(digest);
            if (first === undefined) seen.set(digest, lineNumber);
            else
              problem(
                lineNumber,
                `custom_id ${JSON.stringify(customId.slice(0, 64))} is also on line ${first}`,
              );
          }
          if (problems.length >= MAX_FILE_PROBLEMS) break;
          if (problems.length > 0) continue;
          chunk.push(line);
          chunkBytes += lineBytes;
          if (chunk.length >= WRITE_CHUNK_LINES || chunkBytes >= WRITE_CHUNK_BYTES) await flush();
        }
        if (problems.length > 0) {
          const [first] = problems;
          const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : '';
          throw new BatchError(
            'invalid_file',
            `The file is not a valid batch input file: line ${first!.line}: ${first!.message}${more}`,
            problems,
          );
        }
        if (requests === 0) throw new BatchError('invalid_file', 'The file holds no requests', []);
        await flush();

        const now = Date.now();
        // Counted before it is published: a file over the limit is never visible.
        await options.storage?.admitFile(tenant, id, bytes, now + retentionMs);
        admitted = options.storage !== undefined;
        // Two transactions, one per Redis Cluster slot: the file (`{file id}`), then the
        // tenant's index. A crash between them leaves a file that is not listed (it can still be
        // read by id, and expires); never an index entry first. Readers drop index entries whose
        // file is gone (listNewestFirst).
        await redis
          .multi()
          .hset(keys.file(id), {
            id,
            tenant,
            bytes: String(bytes),
            created_at: String(now),
            filename: filename.slice(0, 255),
            purpose,
            lines: String(requests),
          })
          .pexpire(keys.file(id), retentionMs)
          .pexpire(linesKey, retentionMs)
          .exec();
        await redis
          .multi()
          .zadd(keys.tenantFiles(tenant), now, id)
          .zremrangebyscore(keys.tenantFiles(tenant), '-inf', now - retentionMs - INDEX_SLACK_MS)
          .pexpire(keys.tenantFiles(tenant), retentionMs + INDEX_SLACK_MS)
          .exec();
        return toFileObject({
          id,
          bytes: String(bytes),
          created_at: String(now),
          filename: filename.slice(0, 255),
        });
      } catch (error) {
        await redis.del(linesKey, keys.file(id));
        if (admitted) await options.storage?.release(tenant, id);
        throw error;
      }
    },

    async remove(tenant, id) {
      if (!(await load(tenant, id))) return;
      // The file's keys share its hash slot; the tenant's index is elsewhere (Redis Cluster).
      await redis.del(keys.file(id), keys.fileLines(id));
      await redis.zrem(keys.tenantFiles(tenant), id);
      await options.storage?.release(tenant, id);
    },

    get,

    async lineCount(tenant, id) {
      const hash = await load(tenant, id);
      return hash && Number(hash.lines);
    },

    async *readLines(tenant, id) {
      const source = sourceOf(id);
      if (source) {
        yield* source.readLines(tenant, id);
        return;
      }
      if (!(await load(tenant, id))) throw new BatchError('not_found', `No file ${id}`);
      for (let start = 0; ; start += READ_PAGE_LINES) {
        const page = await redis.lrange(keys.fileLines(id), start, start + READ_PAGE_LINES - 1);
        yield* page;
        if (page.length < READ_PAGE_LINES) return;
      }
    },

    readPage: (id, start, count) => redis.lrange(keys.fileLines(id), start, start + count - 1),

    list: (tenant, listOptions = {}) =>
      listNewestFirst(redis, keys.tenantFiles(tenant), listOptions, (ids) =>
        Promise.all(ids.map((id) => get(tenant, id))),
      ),

    async keep(id, ms) {
      await redis.multi().pexpire(keys.file(id), ms, 'GT').pexpire(keys.fileLines(id), ms, 'GT').exec();
    },

    addGeneratedFiles(source) {
      generated.add(source);
      return () => generated.delete(source);
    },
  };
}
