import { performance } from 'node:perf_hooks';
import { createBroker } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { measureThroughput, type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { writeConfig } from '../test/support/switchyard-process.ts';
import { benchPrefix, deleteKeys, REDIS_URL } from './support/bench-prefix.ts';
import { formatNumber, type Table } from './support/format-table.ts';
import { watchJobEvents } from './support/job-events.ts';
import { runPool } from './support/run-pool.ts';
import { addSimulatedProvider, benchConfig, MODEL, removeConfig } from './support/simulated-setup.ts';
import { startWorkerProcess, workerEntryNote } from './support/start-worker-process.ts';

const CONCURRENCY = 50;
/** Submissions in flight at once from the client. */
const SUBMITTERS = 100;
const PROMPT = 'Summarize this. Switchyard spreads work over many providers. Free tiers go first.';

export interface ThroughputOptions {
  /** Jobs per run (default 5,000). */
  jobs?: number;
  /** Also run Switchyard with its workers in one child process (default true). */
  childProcess?: boolean;
}

interface Run {
  label: string;
  enqueueMs: number;
  totalMs: number;
  done: number;
}

/**
 * Throughput with nothing to wait for: raw BullMQ (addBulk + a no-op Worker) against
 * Switchyard end to end (submit -> provider worker -> zero-latency simulator -> result stored),
 * N jobs each, in one process; and Switchyard with its workers in a child process.
 */
export async function throughput(options: ThroughputOptions = {}): Promise<Table[]> {
  const jobs = options.jobs ?? 5_000;
  const prefix = benchPrefix();
  const simulator = await startSimulator({ providers: [] });
  try {
    const runs: Run[] = [await rawBullmq(prefix, jobs)];
    runs.push(await switchyardRun(prefix, simulator, jobs, 'in-process'));
    if (options.childProcess !== false) runs.push(await switchyardRun(prefix, simulator, jobs, 'child'));

    const provider = addSimulatedProvider(simulator, { id: 'direct' });
    const direct = await measureThroughput({
      url: `${provider.baseUrl}/chat/completions`,
      body: { model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 64 },
      concurrency: CONCURRENCY,
      durationMs: 2_000,
    });

    const baseline = runs[0]!;
    const rate = (run: Run) => (run.done / run.totalMs) * 1000;
    const rows = runs.map((run) => [
      run.label,
      `${run.done} / ${jobs}`,
      formatNumber(run.enqueueMs / 1000, 2),
      formatNumber(run.totalMs / 1000, 2),
      formatNumber(rate(run)),
      run === baseline ? '1 (baseline)' : formatNumber(rate(run) / rate(baseline), 3),
    ]);
    rows.push([
      `simulator alone (measureThroughput, ${CONCURRENCY} connections, 2 s)`,
      `${direct.statuses[200] ?? 0} calls`,
      '',
      formatNumber(direct.durationMs / 1000, 2),
      formatNumber(direct.requestsPerSecond),
      formatNumber(direct.requestsPerSecond / rate(baseline), 3),
    ]);
    return [
      {
        title: `throughput: ${formatNumber(jobs)} jobs, no limits, zero-latency provider, concurrency ${CONCURRENCY}`,
        columns: ['run', 'jobs done', 'enqueue (s)', 'end to end (s)', 'jobs/s', '÷ raw BullMQ'],
        rows,
        notes: [
          'End to end = from the first add/submit until the last job is complete (BullMQ: the Worker completed event; Switchyard: the job record reached succeeded, result stored, seen on the job event channel).',
          `Raw BullMQ: one Queue.addBulk of every job, a Worker with concurrency ${CONCURRENCY} and a no-op processor, removeOnComplete as Switchyard sets it. Switchyard: broker.submit per job (${SUBMITTERS} in flight), one provider worker with concurrency ${CONCURRENCY}, the simulator in this process.`,
          'The simulator-alone row is the ceiling on the provider side: HTTP calls only, from this process, no Redis.',
          `Child-process run: ${workerEntryNote()}.`,
        ],
      },
    ];
  } finally {
    await simulator.close();
    await deleteKeys(prefix);
  }
}

async function rawBullmq(prefix: string, jobs: number): Promise<Run> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, prefix: `{${prefix}}` });
  let done = 0;
  let finished: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const worker = new Worker('raw', async () => {}, {
    connection,
    prefix: `{${prefix}}`,
    concurrency: CONCURRENCY,
  });
  worker.on('completed', () => {
    done += 1;
    if (done === jobs) finished();
  });
  await worker.waitUntilReady();
  try {
    const started = performance.now();
    await queue.addBulk(
      Array.from({ length: jobs }, (_, index) => ({
        name: 'job',
        data: { index },
        opts: { removeOnComplete: true },
      })),
    );
    const enqueueMs = performance.now() - started;
    await Promise.race([allDone, new Promise((resolve) => setTimeout(resolve, 120_000))]);
    return {
      label: `raw BullMQ (addBulk + no-op Worker)`,
      enqueueMs,
      totalMs: performance.now() - started,
      done,
    };
  } finally {
    await worker.close();
    await queue.close();
    await connection.quit();
  }
}

async function switchyardRun(
  prefix: string,
  simulator: Simulator,
  jobs: number,
  where: 'in-process' | 'child',
): Promise<Run> {
  const provider = addSimulatedProvider(simulator, { id: `throughput-${where}`, concurrency: CONCURRENCY });
  const raw = benchConfig({ prefix, providers: [provider], routes: { main: [`${provider.id}/${MODEL}`] } });
  const broker = createBroker({ config: parseConfig(raw, {}) });
  const path = where === 'child' ? writeConfig(raw) : undefined;
  const child = path ? await startWorkerProcess(path) : undefined;
  if (where === 'in-process') await broker.startWorkers();
  const events = await watchJobEvents(broker.keys.jobEvents);
  try {
    const started = performance.now();
    await runPool(jobs, SUBMITTERS, (index) =>
      broker.submit({
        tenant: 'bench',
        route: 'main',
        messages: [{ role: 'user', content: `${index}. ${PROMPT}` }],
        maxTokens: 64,
      }),
    );
    const enqueueMs = performance.now() - started;
    await events.untilTerminal(jobs, 120_000);
    return {
      label:
        where === 'in-process'
          ? 'Switchyard, workers in this process'
          : 'Switchyard, workers in one child process',
      enqueueMs,
      totalMs: performance.now() - started,
      done: events.counts().succeeded ?? 0,
    };
  } finally {
    await events.close();
    await child?.stop();
    if (path) removeConfig(path);
    await broker.close();
  }
}
