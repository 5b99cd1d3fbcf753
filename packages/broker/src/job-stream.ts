import type { StreamEvent } from '@switchyard/spec';
import type { Redis } from 'ioredis';
import type { RedisConnection } from './create-redis.ts';
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

export function createJobStreamWriter(redis: RedisConnection, keys: Keys): JobStreamWriter {
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

/** Reads job streams for the API process's clients. */
export interface JobStreamReader {
  /**
   * A job's deltas as they arrive, then `end` with the job once it is terminal or at
   * `giveUpAt`. Breaking out of the loop stops the reading.
   */
  read(jobId: string, giveUpAt: number): AsyncGenerator<JobStreamEvent>;
  close(): void;
}

interface Subscription {
  lastId: string;
  entries: [string, string[]][];
  /** Set while the reader waits; called with new entries, or after a quiet round. */
  wake?: () => void;
}

/**
 * Every stream this process reads shares one connection: a loop blocks in one `XREAD` over all
 * of them (so thousands of streaming clients cost one Redis connection, not thousands), and a
 * new reader interrupts it with `CLIENT UNBLOCK` so its first delta is not delayed. On a Redis
 * Cluster, where one `XREAD` cannot span slots, each reader has a connection of its own.
 */
export function createJobStreamReader(
  redis: RedisConnection,
  keys: Keys,
  getJob: (id: string) => Promise<Job | undefined>,
): JobStreamReader {
  const subscriptions = new Map<string, Subscription>();
  let hub: Redis | undefined;
  let hubId: number | undefined;
  let looping = false;
  let closed = false;
  const shared = !redis.isCluster;

  async function loop(): Promise<void> {
    looping = true;
    try {
      // Only on a standalone Redis (`shared`): a cluster's readers have connections of their own.
      hub ??= (redis as Redis).duplicate({ connectionName: `${keys.prefix}:streams` });
      hubId ??= Number(await hub.client('ID'));
      while (!closed && subscriptions.size > 0) {
        const streamKeys = [...subscriptions.keys()];
        const ids = streamKeys.map((key) => subscriptions.get(key)!.lastId);
        let result: [string, [string, string[]][]][] | null = null;
        try {
          result = await hub.xread('BLOCK', BLOCK_MS, 'STREAMS', ...streamKeys, ...ids);
        } catch {
          // The connection dropped; ioredis reconnects. Readers check their jobs meanwhile.
        }
        for (const [key, messages] of result ?? []) {
          const subscription = subscriptions.get(key);
          if (!subscription || messages.length === 0) continue;
          subscription.lastId = messages.at(-1)![0];
          subscription.entries.push(...messages);
        }
        for (const subscription of subscriptions.values()) subscription.wake?.();
      }
    } finally {
      looping = false;
    }
  }

  /**
   * Runs the shared loop; if it fails (Redis unreachable when it connects), its readers are
   * woken after a pause to check their jobs (an error there reaches their client) and the next
   * reader starts it again: a rejection must never go unhandled.
   */
  function startLoop(): void {
    loop().catch(() => {
      setTimeout(() => {
        for (const subscription of subscriptions.values()) subscription.wake?.();
      }, BLOCK_MS).unref();
    });
  }

  async function* readShared(jobId: string, giveUpAt: number): AsyncGenerator<JobStreamEvent> {
    const key = keys.jobStream(jobId);
    const subscription: Subscription = { lastId: '0', entries: [] };
    /** The last entry yielded (the loop may have fetched further: `subscription.lastId`). */
    let yieldedId = '0';
    subscriptions.set(key, subscription);
    if (!looping) startLoop();
    else if (hubId !== undefined) await redis.client('UNBLOCK', hubId).catch(() => 0);
    try {
      for (;;) {
        if (subscription.entries.length === 0)
          await new Promise<void>((resolve) => {
            subscription.wake = resolve;
          });
        subscription.wake = undefined;
        const entries = subscription.entries.splice(0);
        for (const [entryId, fields] of entries) {
          yieldedId = entryId;
          if (fields[0] === END) {
            yield { type: 'end', job: await getJob(jobId) };
            return;
          }
          yield toEvent(fields);
        }
        if (entries.length > 0) continue;
        if (!looping && !closed) startLoop();
        // A quiet round: the job may have ended without an `end` (it failed, or succeeded
        // after every delta was read).
        const job = await getJob(jobId);
        if ((job && TERMINAL_STATUSES.has(job.status)) || Date.now() >= giveUpAt) {
          yield* readRest(redis, jobId, yieldedId, job);
          return;
        }
      }
    } finally {
      subscriptions.delete(key);
    }
  }

  async function* readOwn(jobId: string, giveUpAt: number): AsyncGenerator<JobStreamEvent> {
    const reader = redis.duplicate();
    const key = keys.jobStream(jobId);
    try {
      let lastId = '0';
      for (;;) {
        const entries = await reader.xread('BLOCK', BLOCK_MS, 'STREAMS', key, lastId);
        for (const [, messages] of entries ?? []) {
          for (const [entryId, fields] of messages) {
            lastId = entryId;
            if (fields[0] === END) {
              yield { type: 'end', job: await getJob(jobId) };
              return;
            }
            yield toEvent(fields);
          }
        }
        if (entries) continue;
        const job = await getJob(jobId);
        if ((job && TERMINAL_STATUSES.has(job.status)) || Date.now() >= giveUpAt) {
          yield* readRest(reader, jobId, lastId, job);
          return;
        }
      }
    } finally {
      reader.disconnect();
    }
  }

  /**
   * The last of a stream once its reader has seen the job terminal (or given up on it): the
   * entries after `lastId`, read without blocking, then `end`. A quiet round does not show that
   * the stream was read to its end: the shared read's round may not have covered a stream that
   * joined during it (its wake-up then comes from other streams' entries, or from the `CLIENT
   * UNBLOCK`), and a delta can land between a timed-out read and the look at the job. The job
   * turns terminal only after its last delta was appended, so this read holds every one not
   * yielded yet — what a job run on the fast path, often over before its client's reader
   * starts, would otherwise lose.
   */
  async function* readRest(
    connection: RedisConnection,
    jobId: string,
    lastId: string,
    job: Job | undefined,
  ): AsyncGenerator<JobStreamEvent> {
    const rest = await connection.xread('STREAMS', keys.jobStream(jobId), lastId);
    for (const [, messages] of rest ?? []) {
      for (const [, fields] of messages) {
        if (fields[0] === END) {
          // The stream ended after the look at the job (`giveUpAt` had passed): as it ended.
          yield { type: 'end', job: await getJob(jobId) };
          return;
        }
        yield toEvent(fields);
      }
    }
    yield { type: 'end', job };
  }

  return {
    read: shared ? readShared : readOwn,
    close() {
      closed = true;
      for (const subscription of subscriptions.values()) subscription.wake?.();
      hub?.disconnect();
    },
  };
}

function toEvent(fields: string[]): JobStreamDelta {
  if (fields[0] === TOOL_CALL) return { type: 'tool_call_delta', ...JSON.parse(fields[1] ?? '{}') };
  return { type: 'delta', text: fields[1] ?? '' };
}
