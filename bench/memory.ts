import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createBrokerFor } from '@switchyard/app/broker';
import { parseConfig } from '@switchyard/config';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { benchPrefix, deleteKeys, REDIS_URL } from './support/bench-prefix.ts';
import { formatNumber, type Table } from './support/format-table.ts';
import { runPool } from './support/run-pool.ts';
import { benchConfig, MODEL } from './support/simulated-setup.ts';

/** Submissions in flight at once (as the throughput benchmark and a batch's pages do). */
const SUBMITTERS = 100;
/** Raw BullMQ jobs per `addBulk` call. */
const BULK = 1_000;
/** Keys of one kind measured with MEMORY USAGE; the rest of that kind is taken to be alike. */
const SAMPLE = 200;
const MAX_TOKENS = 64;
const TEXT =
  'The river rose overnight after three days of rain. Crews from four towns worked until dawn to reinforce the banks with sandbags, and the old stone bridge, closed since Tuesday, reopened at noon after engineers checked its piers. Schools stay closed until Monday; the ferry runs on its normal timetable again.';

/** A distinct ~300-character document to summarise, per job. */
const documentFor = (index: number) => `Document ${index}. ${TEXT}`.slice(0, 300);

export interface MemoryOptions {
  /** Jobs queued per run (default 100,000). */
  jobs?: number;
}

/** Memory of one kind of key (by name), per job. */
interface KeyKind {
  kind: string;
  keys: number;
  encoding: string;
  /** Sum of MEMORY USAGE over the kind (sampled beyond `SAMPLE` keys and scaled up). */
  bytes: number;
  /** For hashes: mean bytes of field names and values per key (what a compact encoding would hold). */
  dataBytesPerKey?: number;
}

interface ProcessMemory {
  rss: number;
  heapUsed: number;
}

interface Run {
  label: string;
  queued: number;
  enqueueMs: number;
  usedMemoryDelta: number;
  kinds: KeyKind[];
  /** Keys other clients added or removed meanwhile (DBSIZE change minus ours): 0 on a quiet Redis. */
  foreignKeys: number;
  before: ProcessMemory;
  after: ProcessMemory;
  peakRss: number;
  deleteMs: number;
}

/**
 * Memory of queued jobs: N jobs submitted to a broker whose provider has no worker running,
 * so every job stays queued. Redis `used_memory` before and after, and MEMORY USAGE per kind of
 * key; the RSS and heap of this process (which holds the broker) before and with N jobs queued.
 * Baseline: raw BullMQ, `Queue.addBulk` of N jobs carrying the same request as their data.
 */
export async function memory(options: MemoryOptions = {}): Promise<Table[]> {
  const jobs = options.jobs ?? 100_000;
  const gc = exposeGc();
  const redis = new Redis(REDIS_URL);
  try {
    // Switchyard first, so its process figures start from the cleaner heap; shown after the baseline.
    const switchyard = await switchyardRun(redis, jobs, gc);
    const raw = await rawBullmqRun(redis, jobs, gc);
    return tables([raw, switchyard], jobs);
  } finally {
    await redis.quit();
  }
}

async function rawBullmqRun(redis: Redis, jobs: number, gc: () => void): Promise<Run> {
  const prefix = benchPrefix();
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, prefix: `{${prefix}}` });
  try {
    await queue.waitUntilReady();
    return await measure(redis, prefix, 'raw BullMQ (Queue.addBulk)', gc, async () => {
      for (let start = 0; start < jobs; start += BULK) {
        const count = Math.min(BULK, jobs - start);
        await queue.addBulk(
          Array.from({ length: count }, (_, offset) => ({
            name: 'job',
            data: {
              messages: [{ role: 'user', content: documentFor(start + offset) }],
              maxTokens: MAX_TOKENS,
            },
            // What Switchyard's provider queue sets on each entry, but the id: BullMQ numbers
            // the jobs. What to keep once finished is the worker's setting, as in Switchyard.
            opts: {
              priority: 2,
              attempts: 3,
              backoff: { type: 'exponential', delay: 1_000 },
            },
          })),
        );
      }
      return jobs;
    });
  } finally {
    await queue.close();
    await connection.quit();
  }
}

async function switchyardRun(redis: Redis, jobs: number, gc: () => void): Promise<Run> {
  const prefix = benchPrefix();
  // A provider no worker serves (none is started): every job stays queued, and nothing is called.
  const provider = {
    id: 'held',
    kind: 'openai' as const,
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKey: 'sim-key',
    tier: 'free',
    models: [{ name: MODEL, contextWindow: 32_000 }],
    limits: [],
    concurrency: 8,
    timeout: '10s',
  };
  const broker = createBrokerFor(
    parseConfig(
      benchConfig({ prefix, providers: [provider], routes: { main: [`${provider.id}/${MODEL}`] } }),
      {},
    ),
  );
  try {
    return await measure(redis, prefix, 'Switchyard (broker.submit)', gc, async () => {
      let queued = 0;
      // Counted, not kept: the process must hold nothing per job when it is measured.
      await runPool(jobs, SUBMITTERS, async (index) => {
        const job = await broker.submit({
          tenant: 'bench',
          route: 'main',
          priority: 'batch',
          messages: [{ role: 'user', content: documentFor(index) }],
          maxTokens: MAX_TOKENS,
        });
        if (job.status === 'queued') queued += 1;
      });
      return queued;
    });
  } finally {
    await broker.close();
  }
}

/** Runs `enqueue` between two snapshots of Redis and of this process, then deletes the run's keys. */
async function measure(
  redis: Redis,
  prefix: string,
  label: string,
  gc: () => void,
  enqueue: () => Promise<number>,
): Promise<Run> {
  gc();
  const before = processMemory();
  const usedBefore = await usedMemory(redis);
  const keysBefore = (await redis.dbsize()) - (await keysUnder(redis, prefix)).length;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100);
  let queued: number;
  let enqueueMs: number;
  try {
    const started = performance.now();
    queued = await enqueue();
    enqueueMs = performance.now() - started;
  } finally {
    clearInterval(sampler);
  }
  gc();
  const after = processMemory();
  peakRss = Math.max(peakRss, after.rss);
  const usedMemoryDelta = (await usedMemory(redis)) - usedBefore;
  const keysAfter = await redis.dbsize();
  const kinds = await keyKinds(redis, prefix);
  const ours = kinds.reduce((sum, kind) => sum + kind.keys, 0);
  const deleteStarted = performance.now();
  await deleteKeys(prefix);
  return {
    label,
    queued,
    enqueueMs,
    usedMemoryDelta,
    kinds,
    foreignKeys: keysAfter - keysBefore - ours,
    before,
    after,
    peakRss,
    deleteMs: performance.now() - deleteStarted,
  };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

function processMemory(): ProcessMemory {
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** `gc()` without `--expose-gc` on the command line (`pnpm bench` runs plain tsx). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

/**
 * The run's keys grouped by kind, named after the key: BullMQ job hashes (numbered, or
 * Switchyard's `<job id>-<target>`), Switchyard job records, and each queue-level key.
 */
function kindOf(key: string, prefix: string): string {
  if (key.startsWith(`${prefix}:job:{`)) {
    return key.endsWith('}')
      ? 'Switchyard job record (hash)'
      : `Switchyard job ${key.slice(key.lastIndexOf(':') + 1)}`;
  }
  const bullPrefix = `{${prefix}}:`;
  if (key.startsWith(bullPrefix)) {
    const rest = key.slice(bullPrefix.length);
    const queue = rest.slice(0, rest.indexOf(':'));
    const suffix = rest.slice(queue.length + 1);
    if (/^\d+$/.test(suffix) || /^job_[\w-]+-\d+$/.test(suffix)) return 'BullMQ job (hash)';
    return `BullMQ queue key '${suffix}'`;
  }
  return `other: ${key.slice(prefix.length)}`;
}

async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

async function keyKinds(redis: Redis, prefix: string): Promise<KeyKind[]> {
  const byKind = new Map<string, string[]>();
  for (const key of await keysUnder(redis, prefix)) {
    const kind = kindOf(key, prefix);
    const list = byKind.get(kind) ?? [];
    list.push(key);
    byKind.set(kind, list);
  }

  const kinds: KeyKind[] = [];
  for (const [kind, keys] of byKind) {
    const step = Math.max(1, Math.floor(keys.length / SAMPLE));
    const sample = keys.filter((_, index) => index % step === 0).slice(0, SAMPLE);
    const pipeline = redis.pipeline();
    for (const key of sample) {
      pipeline.memory('USAGE', key, 'SAMPLES', 0);
      pipeline.object('ENCODING', key);
      pipeline.type(key);
    }
    const replies = ((await pipeline.exec()) ?? []).map(([, value]) => value);
    let bytes = 0;
    const encodings = new Set<string>();
    const hashes: string[] = [];
    for (let index = 0; index < sample.length; index++) {
      bytes += Number(replies[index * 3] ?? 0);
      encodings.add(String(replies[index * 3 + 1]));
      if (replies[index * 3 + 2] === 'hash') hashes.push(sample[index]!);
    }
    let dataBytesPerKey: number | undefined;
    if (hashes.length > 0) {
      const contents = await Promise.all(hashes.map((key) => redis.hgetall(key)));
      const total = contents.reduce(
        (sum, hash) =>
          sum +
          Object.entries(hash).reduce(
            (inner, [field, value]) => inner + Buffer.byteLength(field) + Buffer.byteLength(value),
            0,
          ),
        0,
      );
      dataBytesPerKey = total / hashes.length;
    }
    kinds.push({
      kind,
      keys: keys.length,
      encoding: [...encodings].join(', '),
      bytes: (bytes / sample.length) * keys.length,
      dataBytesPerKey,
    });
  }
  return kinds.sort((left, right) => right.bytes - left.bytes);
}

const MIB = 1024 * 1024;

function tables(runs: Run[], jobs: number): Table[] {
  const baseline = runs[0]!;
  const perJob = (run: Run) => run.usedMemoryDelta / run.queued;
  const usageSum = (run: Run) => run.kinds.reduce((sum, kind) => sum + kind.bytes, 0);
  const foreign = runs.filter((run) => run.foreignKeys !== 0);
  const redisTable: Table = {
    title: `memory: Redis bytes per queued job, ${formatNumber(jobs)} jobs queued, no worker running`,
    columns: [
      'run',
      'jobs queued',
      'enqueue (s)',
      'used_memory Δ (MiB)',
      'bytes/job',
      'MEMORY USAGE bytes/job',
      '÷ raw BullMQ',
      'MEMORY USAGE ÷ raw BullMQ',
    ],
    rows: runs.map((run) => [
      run.label,
      formatNumber(run.queued),
      formatNumber(run.enqueueMs / 1000, 1),
      formatNumber(run.usedMemoryDelta / MIB, 1),
      formatNumber(perJob(run)),
      formatNumber(usageSum(run) / run.queued),
      run === baseline ? '1 (baseline)' : formatNumber(perJob(run) / perJob(baseline), 2),
      run === baseline ? '1 (baseline)' : formatNumber(usageSum(run) / usageSum(baseline), 2),
    ]),
    notes: [
      `Each job: a distinct ~300-character document to summarise (one user message, max_tokens ${MAX_TOKENS}). Switchyard: broker.submit per job, ${SUBMITTERS} in flight, priority batch, a route with one provider whose worker is not started. Raw BullMQ: Queue.addBulk of ${formatNumber(BULK)} jobs at a time, the request as the job's data and the options Switchyard's provider queue sets on each entry (priority, attempts, backoff; what to keep once finished is a worker setting in both), ids numbered by BullMQ.`,
      "bytes/job = change of INFO memory used_memory ÷ jobs queued (the whole Redis, so other clients count too); MEMORY USAGE bytes/job = the sum of MEMORY USAGE (SAMPLES 0) over the run's keys (sampled per kind, below) ÷ jobs: it leaves out the keyspace's own overhead per key, and other clients do not move it (the issue's measure).",
      foreign.length > 0
        ? `Other clients changed the number of keys in Redis meanwhile (${foreign.map((run) => `by ${formatNumber(run.foreignKeys)} during ${run.label}`).join('; ')}); where used_memory and MEMORY USAGE disagree much, trust MEMORY USAGE.`
        : "No other client added or removed keys during either run (DBSIZE changed by exactly the run's own keys).",
      `Deleting the run's keys (SCAN MATCH + DEL, 1,000 at a time) took ${runs.map((run) => `${formatNumber(run.deleteMs / 1000, 1)} s`).join(' and ')}.`,
    ],
  };

  const kindRows: string[][] = [];
  for (const run of runs) {
    for (const kind of run.kinds) {
      kindRows.push([
        `${run.label}: ${kind.kind}`,
        formatNumber(kind.keys),
        kind.encoding,
        formatNumber(kind.bytes / kind.keys),
        kind.dataBytesPerKey === undefined ? '' : formatNumber(kind.dataBytesPerKey),
        formatNumber(kind.bytes / run.queued),
      ]);
    }
  }
  const kindTable: Table = {
    title: 'memory: MEMORY USAGE by kind of key',
    columns: ['run: kind of key', 'keys', 'encoding', 'bytes per key', 'of which data', 'bytes per job'],
    rows: kindRows,
    notes: [
      `MEMORY USAGE ... SAMPLES 0 and OBJECT ENCODING on up to ${SAMPLE} keys of each kind, evenly spread; bytes per key is their mean, taken for every key of that kind.`,
      'Of which data: for hashes, the bytes of their field names and values (HGETALL of the same sample); the rest is Redis overhead.',
      'A hash stays a compact listpack only while every value is at most hash-max-listpack-value bytes (64 by default) and it has at most hash-max-listpack-entries fields (128); one longer value makes it a hashtable.',
    ],
  };

  const processRows: string[][] = [];
  for (const run of runs) {
    processRows.push([
      `${run.label}: RSS`,
      formatNumber(run.before.rss / MIB, 1),
      formatNumber(run.after.rss / MIB, 1),
      formatNumber((run.after.rss - run.before.rss) / MIB, 1),
      formatNumber(run.peakRss / MIB, 1),
      formatNumber((run.after.rss - run.before.rss) / run.queued),
    ]);
    processRows.push([
      `${run.label}: heap used`,
      formatNumber(run.before.heapUsed / MIB, 1),
      formatNumber(run.after.heapUsed / MIB, 1),
      formatNumber((run.after.heapUsed - run.before.heapUsed) / MIB, 1),
      '',
      formatNumber((run.after.heapUsed - run.before.heapUsed) / run.queued),
    ]);
  }
  const processTable: Table = {
    title: `memory: this process (holding the broker), before submitting and with ${formatNumber(jobs)} jobs queued`,
    columns: [
      'run: measure',
      'before (MiB)',
      'after (MiB)',
      'difference (MiB)',
      'peak RSS (MiB)',
      'bytes per job',
    ],
    rows: processRows,
    notes: [
      'process.memoryUsage() after a full garbage collection (gc() made available with v8.setFlagsFromString), before the first submission and after the last; peak RSS sampled every 100 ms while submitting.',
      "The benchmark process holds the broker (as the API process would, without its HTTP server); the jobs live in Redis, so heap that stays after the garbage collection is what the process keeps per queued job. RSS rarely shrinks after a peak (the allocator keeps freed pages), so its growth is mostly the submission's garbage.",
      'Run order: Switchyard first, then raw BullMQ, in this one process (so the raw run starts from the RSS the Switchyard run left).',
    ],
  };
  return [redisTable, kindTable, processTable];
}
