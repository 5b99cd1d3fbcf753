import type { StreamEvent } from '@switchyard/spec';
import type { Redis } from 'ioredis';
import type { Job } from './job.ts';
import { TERMINAL_STATUSES } from './job.ts';
import type { Keys } from './keys.ts';

/**
 * A streaming job's text travels from the worker that runs it to the API process that holds
 * the client through a Redis stream per job: `delta` entries with text, then one `end` entry.
 * These two modules are the only ones that know the protocol.
 */
const DELTA = 'delta';
/** A piece of a tool call, as JSON: `{ index, id?, name?, arguments? }`. */
const TOOL_CALL = 'tool';
const END = 'end';

/** How long a streaming job's deltas stay readable. */
const STREAM_RETENTION_MS = 3_600_000;
/** How long one read blocks before the reader looks at the job itself. */
const BLOCK_MS = 250;

/** A piece of the answer: text, or a piece of a tool call (see `StreamEvent` in the spec). */
export type JobStreamDelta = Exclude<StreamEvent, { type: 'done' }>;

export interface JobStreamWriter {
  append(jobId: string, delta: JobStreamDelta): Promise<void>;
  end(jobId: string): Promise<void>;
}

export function createJobStreamWriter(redis: Redis, keys: Keys): JobStreamWriter {
  return {
    async append(jobId, delta) {
      const key = keys.jobStream(jobId);
      const [field, value] =
        delta.type === 'delta'
          ? [DELTA, delta.text]
          : [TOOL_CALL, JSON.stringify({ ...delta, type: undefined })];
      await redis.multi().xadd(key, '*', field, value).pexpire(key, STREAM_RETENTION_MS).exec();
    },
    async end(jobId) {
      await redis.xadd(keys.jobStream(jobId), '*', END, '1');
    },
  };
}

export type JobStreamEvent =
  | JobStreamDelta
  /**
   * The last event: the job as it is when the stream ended — succeeded (every delta was
   * yielded before), failed or cancelled, or still unfinished when `giveUpAt` passed.
   */
  | { type: 'end'; job: Job | undefined };

/**
 * Reads a job's deltas as they arrive, on a connection of its own (reads block), and ends with
 * the job once it is terminal or at `giveUpAt`. Breaking out of the loop closes the connection.
 */
export async function* readJobStream(
  redis: Redis,
  keys: Keys,
  getJob: (id: string) => Promise<Job | undefined>,
  jobId: string,
  giveUpAt: number,
): AsyncGenerator<JobStreamEvent> {
  const reader = redis.duplicate();
  const key = keys.jobStream(jobId);
  try {
    let lastId = '0';
    for (;;) {
      const entries = await reader.xread('BLOCK', BLOCK_MS, 'STREAMS', key, lastId);
      let ended = false;
      for (const [, messages] of entries ?? []) {
        for (const [entryId, fields] of messages) {
          lastId = entryId;
          if (fields[0] === DELTA) yield { type: 'delta', text: fields[1] ?? '' };
          else if (fields[0] === TOOL_CALL)
            yield { type: 'tool_call_delta', ...JSON.parse(fields[1] ?? '{}') };
          else if (fields[0] === END) ended = true;
        }
      }
      if (ended) {
        yield { type: 'end', job: await getJob(jobId) };
        return;
      }
      if (entries) continue;
      // Nothing arrived for a while: the job may have ended without an `end` (it failed, or
      // succeeded after every delta was read above).
      const job = await getJob(jobId);
      if ((job && TERMINAL_STATUSES.has(job.status)) || Date.now() >= giveUpAt) {
        yield { type: 'end', job };
        return;
      }
    }
  } finally {
    reader.disconnect();
  }
}
