import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../create-redis.ts';
import type { Attempt, Job, JobStatus } from '../job.ts';
import { TERMINAL_STATUSES } from '../job.ts';
import type { Keys } from '../keys.ts';
import { defineScripts } from '../scripts/define-scripts.ts';
import { fieldOf, storedName } from './record-fields.ts';
import { joinPieces, piecePairs } from './record-pieces.ts';

export interface Transition {
  /** Only when the job is on this target (omit: any target). */
  target?: number;
  from: readonly JobStatus[];
  to: JobStatus;
  set?: Partial<Record<'target' | 'tries' | 'result' | 'error' | 'completed_at' | 'started_at', string>>;
  attempt?: Attempt;
  incrementTries?: boolean;
}

export type TransitionResult =
  | { applied: true; status: JobStatus }
  | { applied: false; status?: JobStatus; target?: number };

export interface JobStore {
  /** Writes a new job; false (and nothing written) when a job with this id exists. */
  create(job: Job): Promise<boolean>;
  get(id: string): Promise<Job | undefined>;
  transition(id: string, transition: Transition): Promise<TransitionResult>;
  /** Resolves with the job once it is terminal, or with its state when `timeoutMs` passes. */
  waitForTerminal(id: string, timeoutMs: number): Promise<Job | undefined>;
  close(): Promise<void>;
}

/** Job fields that hold JSON (a number is JSON too: these are absent from most jobs). */
const JSON_FIELDS = [
  'plan',
  'request',
  'metadata',
  'result',
  'error',
  'personal_data',
  'stream',
  'sync_wait_ms',
] as const;
const NUMBER_FIELDS = ['target', 'tries', 'deadline'] as const;

/** How long after its creation the sweeper first looks at a job (see `sweeper.ts`). */
export const FIRST_SWEEP_AFTER_MS = 60_000;

export interface JobStoreOptions {
  retentionMs: number;
  firstSweepAfterMs?: number;
  /**
   * Called after each terminal transition this store applied (again, should the same
   * transition be applied twice after a lost reply: it must be idempotent), with the job's
   * tenant and its result's bytes. The tenant limits release the job here.
   */
  onTerminal?: (job: { id: string; tenant: string; resultBytes: number }) => Promise<void>;
}

/**
 * A job as its record is written: hash field/value pairs, under the record's short names
 * (`record-fields.ts`) and long values in pieces (`record-pieces.ts`), so the record stays a
 * compact listpack; and the attempts (JSON) to append.
 */
export function recordOf(job: Job): { pairs: string[]; attempts: string[] } {
  const { attempts, ...fields } = job;
  return { pairs: recordPairsOf(fields), attempts: attempts.map((attempt) => JSON.stringify(attempt)) };
}

/** `[field, value, field, value, ...]` as an object. */
function pairsObject(pairs: string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let index = 0; index < pairs.length; index += 2) object[pairs[index]!] = pairs[index + 1]!;
  return object;
}

/** Job fields as the record's field/value pairs: short names, long values in pieces. */
function recordPairsOf(fields: Record<string, unknown>): string[] {
  const pairs: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    pairs.push(...piecePairs(storedName(field), typeof value === 'string' ? value : JSON.stringify(value)));
  }
  return pairs;
}

/**
 * The job a record holds (HGETALL of `keys.job`, LRANGE of `keys.jobAttempts`); undefined when
 * there is none. The store's reads go through it; a test that reads Redis itself can too.
 */
export function jobOfRecord(hash: Record<string, string>, attempts: string[]): Job | undefined {
  const fields: Record<string, string> = {};
  for (const [stored, value] of Object.entries(joinPieces(hash))) fields[fieldOf(stored)] = value;
  if (fields.id === undefined) return undefined;
  // `transition` is the store's own bookkeeping (the last applied transition's id), not the job's.
  const { transition: _lastTransition, ...rest } = fields;
  const job: Record<string, unknown> = rest;
  for (const field of JSON_FIELDS) if (fields[field] !== undefined) job[field] = JSON.parse(fields[field]);
  for (const field of NUMBER_FIELDS) job[field] = Number(fields[field]);
  job.attempts = attempts.map((attempt) => JSON.parse(attempt) as Attempt);
  return job as unknown as Job;
}

export function createJobStore(redis: RedisConnection, keys: Keys, options: JobStoreOptions): JobStore {
  const scripts = defineScripts(redis, {
    create: new URL('./create-2.lua', import.meta.url),
    read: new URL('./read-2.lua', import.meta.url),
    transition: new URL('./transition-2.lua', import.meta.url),
  });
  const waiters = new Map<string, Set<() => void>>();
  let subscriber: RedisConnection | undefined;
  let subscribed: Promise<unknown> | undefined;

  /**
   * Resolves once the subscription is active, for every caller: a waiter that read the job
   * before then could miss its event (a new cluster connection takes a while to subscribe).
   */
  function listen(): Promise<unknown> {
    if (subscribed) return subscribed;
    const connection = redis.duplicate();
    subscriber = connection;
    connection.on('message', (_channel: string, message: string) => {
      const space = message.indexOf(' ');
      // Only a terminal status ends a wait: `running` would cost a read of the job for nothing.
      if (!TERMINAL_STATUSES.has(message.slice(space + 1) as JobStatus)) return;
      for (const wake of waiters.get(message.slice(0, space)) ?? []) wake();
    });
    subscribed = connection.subscribe(keys.jobEvents);
    return subscribed;
  }

  async function get(id: string): Promise<Job | undefined> {
    const [flat, attempts] = await scripts.read<[string[], string[]]>([keys.job(id), keys.jobAttempts(id)]);
    return jobOfRecord(pairsObject(flat), attempts);
  }

  return {
    async create(job) {
      const { pairs, attempts } = recordOf(job);
      // Indexed before it exists: a crash in between leaves an index entry without a job, which
      // the sweeper drops, never a job the sweeper cannot find. NX: a second create of the same
      // id (idempotent submission) does not postpone its check. A separate command, not part
      // of the script: the index is one key, the job's keys are in the job's cluster slot.
      // Not awaited before the script: both go out in this order in one write, so the record
      // still leaves before the queue entry `submit` sends alongside it.
      const firstSweep = Date.now() + (options.firstSweepAfterMs ?? FIRST_SWEEP_AFTER_MS);
      const indexed = redis.zadd(keys.openJobs, 'NX', firstSweep, job.id);
      const [written] = await Promise.all([
        scripts.create<number>(
          [keys.job(job.id), keys.jobAttempts(job.id)],
          [pairs.length / 2, ...pairs, ...attempts],
        ),
        indexed,
      ]);
      return written === 1;
    },

    get,

    async transition(id, transition) {
      const reply = await scripts.transition<(number | string)[]>(
        [keys.job(id), keys.jobAttempts(id)],
        [
          transition.target === undefined ? '' : String(transition.target),
          transition.from.join(','),
          transition.to,
          // The fields as the record holds them; the script drops the further pieces of a
          // field's earlier, longer value.
          JSON.stringify(pairsObject(recordPairsOf(transition.set ?? {}))),
          transition.attempt ? JSON.stringify(transition.attempt) : '',
          String(options.retentionMs),
          keys.jobEvents,
          transition.incrementTries ? '1' : '0',
          // Unique per call: should ioredis send the call again after a lost reply (it re-sends
          // unanswered commands on reconnecting), the script answers "applied", not "refused".
          randomUUID(),
        ],
      );
      if (reply[0] === 1) {
        const status = reply[1] as JobStatus;
        // The tenant's release first: should this process die before the open-jobs entry goes,
        // the sweeper finds the job terminal and releases it again (idempotent). Both are sent
        // in this order in one write (the release's script goes out before its first await) and
        // awaited together: one round trip, not two.
        const release =
          options.onTerminal && TERMINAL_STATUSES.has(status) && TERMINAL_STATUSES.has(transition.to)
            ? options.onTerminal({ id, tenant: String(reply[2]), resultBytes: Number(reply[3]) })
            : undefined;
        // Best effort: an entry left behind (a crash here) is dropped by the sweeper.
        const unindexed = TERMINAL_STATUSES.has(status) ? redis.zrem(keys.openJobs, id) : undefined;
        await Promise.all([release, unindexed]);
        return { applied: true, status };
      }
      if (reply[0] === -1) return { applied: false };
      return { applied: false, status: reply[1] as JobStatus, target: Number(reply[2]) };
    },

    async waitForTerminal(id, timeoutMs) {
      await listen();
      return new Promise<Job | undefined>((resolve, reject) => {
        let settled = false;
        const set = waiters.get(id) ?? new Set<() => void>();
        waiters.set(id, set);
        const finish = (job: Job | undefined) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          set.delete(check);
          if (set.size === 0) waiters.delete(id);
          resolve(job);
        };
        const check = () => {
          get(id).then((job) => {
            if (!job || TERMINAL_STATUSES.has(job.status)) finish(job);
          }, reject);
        };
        const timer = setTimeout(() => get(id).then(finish, reject), timeoutMs);
        set.add(check);
        // The job may have finished before we subscribed.
        check();
      });
    },

    async close() {
      await subscriber?.quit();
      subscriber = undefined;
      subscribed = undefined;
    },
  };
}
