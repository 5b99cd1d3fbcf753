import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createBrokerFor } from '@switchyard/app/broker';
import { createKeys } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { measureThroughput } from '@switchyard/provider-sim';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type SwitchyardProcess, startSwitchyard, writeConfig } from '../test/support/switchyard-process.ts';
import { benchPrefix, deleteKeys, REDIS_URL } from './support/bench-prefix.ts';
import { formatNumber, type Table, verdict } from './support/format-table.ts';
import { watchJobEvents } from './support/job-events.ts';
import { createKeepAliveClient } from './support/keep-alive-client.ts';
import { processCpuMs } from './support/process-cpu.ts';
import { runPool } from './support/run-pool.ts';
import {
  benchConfig,
  MODEL,
  removeConfig,
  simulatedProviderConfig,
  switchyardProviderEntry,
} from './support/simulated-setup.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';
import { startWorkerProcess, workerEntryNote } from './support/start-worker-process.ts';

const CONCURRENCY = 50;
/** Submissions in flight at once from the client. */
const SUBMITTERS = 100;
const PROMPT = 'Summarize this. Switchyard spreads work over many providers. Free tiers go first.';
/** Keep-alive connections posting to `POST /v1/jobs` at once (the issue #14 trial's 64 clients). */
const HTTP_CLIENTS = 64;
/** Requests through the API before the timed ones: the child's JIT and connections warm up. */
const HTTP_WARM_UP = 2 * HTTP_CLIENTS;
const API_KEY = 'bench-throughput-key-0123456789';
/** Issue #14's targets, as fractions of raw BullMQ add + no-op processing. */
const TARGET = { submit: 0.5, http: 0.3 };

export interface ThroughputOptions {
  /** Jobs per run (default 5,000). */
  jobs?: number;
  /** Also run Switchyard with its workers in one child process (default true). */
  childProcess?: boolean;
  /**
   * Write a V8 CPU profile (`node --cpu-prof`) of the Switchyard process of the HTTP-intake
   * run into this folder, to see where the intake spends its time.
   */
  cpuProfileDir?: string;
}

interface Run {
  label: string;
  enqueueMs: number;
  totalMs: number;
  done: number;
  /** Issue #14's target for this run, as a fraction of BullMQ no-op. */
  target?: number;
  /** CPU time the process taking the requests used in the timed window (HTTP runs). */
  cpu?: { ms: number; of: string };
}

/**
 * Throughput with nothing to wait for, N jobs each: raw BullMQ with a no-op processor (the
 * queue alone), raw BullMQ doing the same work by hand (add per job, a processor that calls the
 * provider and keeps its answer), and Switchyard end to end (submit -> provider worker ->
 * zero-latency simulator -> result stored), with its workers in this process and in a child
 * process. The simulator runs in a process of its own, like a real provider.
 */
export async function throughput(options: ThroughputOptions = {}): Promise<Table[]> {
  const jobs = options.jobs ?? 5_000;
  const prefix = benchPrefix();
  const ids = ['by-hand', 'in-process', 'child', 'http', 'http-split', 'direct'];
  const simulator = await startSimulatorProcess(ids.map((id) => simulatedProviderConfig({ id })));
  const baseUrl = (id: string) => simulator.baseUrls.get(id)!;
  try {
    const runs: Run[] = [
      await rawBullmq(prefix, jobs),
      await rawBullmqCalling(prefix, jobs, baseUrl('by-hand')),
    ];
    runs.push(await switchyardRun(prefix, baseUrl('in-process'), jobs, 'in-process'));
    if (options.childProcess !== false)
      runs.push(await switchyardRun(prefix, baseUrl('child'), jobs, 'child'));
    runs.push(await switchyardHttpRun(prefix, baseUrl('http'), jobs, 'all', options.cpuProfileDir));
    if (options.childProcess !== false)
      runs.push(await switchyardHttpRun(prefix, baseUrl('http-split'), jobs, 'split'));

    const direct = await measureThroughput({
      url: `${baseUrl('direct')}/chat/completions`,
      body: { model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 64 },
      concurrency: CONCURRENCY,
      durationMs: 2_000,
    });

    const [noop, byHand] = runs as [Run, Run];
    const rate = (run: Run) => (run.done / run.totalMs) * 1000;
    const ratio = (run: Run, baseline: Run) =>
      run === baseline ? '1 (baseline)' : formatNumber(rate(run) / rate(baseline), 3);
    const rows = runs.map((run) => [
      run.label,
      `${run.done} / ${jobs}`,
      formatNumber(run.enqueueMs / 1000, 2),
      formatNumber(run.totalMs / 1000, 2),
      formatNumber(rate(run)),
      ratio(run, noop),
      ratio(run, byHand),
      run.target === undefined ? '' : `>= ${run.target} ÷ no-op`,
      run.target === undefined ? '' : verdict(rate(run) / rate(noop) >= run.target),
    ]);
    rows.push([
      `simulator alone (${CONCURRENCY} connections, 2 s)`,
      `${direct.statuses[200] ?? 0} calls`,
      '',
      formatNumber(direct.durationMs / 1000, 2),
      formatNumber(direct.requestsPerSecond),
      formatNumber(direct.requestsPerSecond / rate(noop), 3),
      formatNumber(direct.requestsPerSecond / rate(byHand), 3),
      '',
      '',
    ]);
    const best = Math.max(...runs.filter((run) => run.target === TARGET.submit).map(rate));
    return [
      {
        title: `throughput: ${formatNumber(jobs)} jobs, no limits, zero-latency provider, concurrency ${CONCURRENCY}`,
        columns: [
          'run',
          'jobs done',
          'enqueue (s)',
          'end to end (s)',
          'jobs/s',
          '÷ BullMQ no-op',
          '÷ BullMQ by hand',
          'target (issue #14)',
          'verdict',
        ],
        rows,
        notes: [
          'End to end = from the first add/submit until the last job is complete (BullMQ: the Worker completed event; Switchyard: the job record reached succeeded, result stored, seen on the job event channel).',
          `BullMQ no-op: one Queue.addBulk of every job, a Worker with concurrency ${CONCURRENCY} and a no-op processor: the queue alone, an upper bound no broker that calls a provider can reach.`,
          `BullMQ by hand: what the same work takes with BullMQ and nothing else: Queue.add per job (${SUBMITTERS} in flight), a Worker with concurrency ${CONCURRENCY} whose processor POSTs the prompt to the simulator (node:http, keep-alive agent: the kind of client Switchyard's adapters use) and keeps the answer as the job's return value.`,
          `Switchyard: broker.submit per job (${SUBMITTERS} in flight), one provider worker with concurrency ${CONCURRENCY}; child-process run: ${workerEntryNote()}.`,
          `Switchyard through the HTTP API: the app as \`pnpm start\` runs it (apps/switchyard/src/main.ts, every role in one child process, info-level JSON logs on its stdout, read by this process), fed POST /v1/jobs (202, no wait) from ${HTTP_CLIENTS} keep-alive node:http connections in this process; ${HTTP_WARM_UP} untimed jobs first, then the clock runs from the first timed request until the last timed job is done. Enqueue = until the last 202. Then the same with SWITCHYARD_ROLE=api in one child process and the workers in another (${workerEntryNote()}).`,
          ...runs.flatMap((run) =>
            run.cpu === undefined
              ? []
              : [
                  `${run.label}: ${run.cpu.of} used ${formatNumber(run.cpu.ms / 1000, 2)} s of CPU (user + system) in the timed window, ${formatNumber(run.cpu.ms / run.done, 2)} ms per job: a figure the machine's load moves much less than jobs/s.`,
                ],
          ),
          'The simulator runs in its own process; the simulator-alone row is the provider-side ceiling: HTTP calls only, from this process, no Redis.',
          `Targets (issue #14): in-process broker.submit >= ${TARGET.submit} × BullMQ no-op, through the HTTP API >= ${TARGET.http} ×. Target (issue #6): at least half of raw BullMQ add+process. Best Switchyard run ÷ BullMQ by hand: ${formatNumber(best / rate(byHand), 3)} ${verdict(best / rate(byHand) >= 0.5)}; ÷ BullMQ no-op: ${formatNumber(best / rate(noop), 3)} ${verdict(best / rate(noop) >= 0.5)}.`,
        ],
      },
    ];
  } finally {
    await simulator.stop();
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
      label: 'raw BullMQ no-op (addBulk + a no-op Worker)',
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

/**
 * POSTs JSON and parses the JSON answer over a keep-alive `node:http` agent: the kind of
 * client Switchyard's adapters use, so the by-hand baseline is not slowed by `fetch`.
 */
function postJson(agent: Agent, url: string, body: unknown): Promise<unknown> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          authorization: 'Bearer sim-key',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) reject(new Error(`provider answered ${response.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/** Raw BullMQ doing Switchyard's work by hand: add per job, a processor that calls the provider. */
async function rawBullmqCalling(prefix: string, jobs: number, baseUrl: string): Promise<Run> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('by-hand', { connection, prefix: `{${prefix}}` });
  let done = 0;
  let finished: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const worker = new Worker<{ prompt: string }>(
    'by-hand',
    async (job) => {
      const answer = (await postJson(agent, `${baseUrl}/chat/completions`, {
        model: MODEL,
        messages: [{ role: 'user', content: job.data.prompt }],
        max_tokens: 64,
      })) as { choices: { message: { content: string } }[] };
      return answer.choices[0]?.message.content;
    },
    { connection, prefix: `{${prefix}}`, concurrency: CONCURRENCY },
  );
  worker.on('completed', () => {
    done += 1;
    if (done === jobs) finished();
  });
  await worker.waitUntilReady();
  try {
    const started = performance.now();
    await runPool(jobs, SUBMITTERS, (index) =>
      queue.add('job', { prompt: `${index}. ${PROMPT}` }, { removeOnComplete: { age: 3_600 } }),
    );
    const enqueueMs = performance.now() - started;
    await Promise.race([allDone, new Promise((resolve) => setTimeout(resolve, 120_000))]);
    return {
      label: 'raw BullMQ by hand (add per job + a processor calling the simulator)',
      enqueueMs,
      totalMs: performance.now() - started,
      done,
    };
  } finally {
    agent.destroy();
    await worker.close();
    await queue.close();
    await connection.quit();
  }
}

async function switchyardRun(
  prefix: string,
  baseUrl: string,
  jobs: number,
  where: 'in-process' | 'child',
): Promise<Run> {
  const provider = switchyardProviderEntry({ id: where, concurrency: CONCURRENCY }, baseUrl);
  const raw = benchConfig({ prefix, providers: [provider], routes: { main: [`${provider.id}/${MODEL}`] } });
  const broker = createBrokerFor(parseConfig(raw, {}));
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
      target: TARGET.submit,
    };
  } finally {
    await events.close();
    await child?.stop();
    if (path) removeConfig(path);
    await broker.close();
  }
}

/**
 * Switchyard fed through its HTTP API: `POST /v1/jobs` from `HTTP_CLIENTS` keep-alive
 * connections to the real app, every role in one child process as `pnpm start` runs it (`all`)
 * or the API and the workers in a child process each (`split`), until every accepted job is
 * done (seen on the job event channel, as in the broker.submit runs).
 */
async function switchyardHttpRun(
  prefix: string,
  baseUrl: string,
  jobs: number,
  roles: 'all' | 'split',
  cpuProfileDir?: string,
): Promise<Run> {
  const provider = switchyardProviderEntry({ id: `http-${roles}`, concurrency: CONCURRENCY }, baseUrl);
  const raw = {
    ...benchConfig({ prefix, providers: [provider], routes: { main: [`${provider.id}/${MODEL}`] } }),
    server: { port: 0, host: '127.0.0.1' },
    auth: { apiKeys: [{ key: API_KEY, tenant: 'bench' }] },
  };
  const path = writeConfig(raw);
  const client = createKeepAliveClient(HTTP_CLIENTS);
  let switchyard: SwitchyardProcess | undefined;
  let workers: SwitchyardProcess | undefined;
  const events = await watchJobEvents(createKeys(prefix).jobEvents);
  try {
    if (roles === 'split') workers = await startWorkerProcess(path);
    switchyard = await startSwitchyard(
      { SWITCHYARD_CONFIG: path, SWITCHYARD_ROLE: roles === 'all' ? 'all' : 'api' },
      cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [],
    );
    const url = `${switchyard.ready.api}/jobs`;
    const headers = { authorization: `Bearer ${API_KEY}` };
    const post = (index: number) =>
      client.post(url, { route: 'main', prompt: `${index}. ${PROMPT}`, max_tokens: 64 }, headers);
    const accepted = async (count: number, from: number) =>
      (await runPool(count, HTTP_CLIENTS, (index) => post(from + index))).filter(
        (response) => response.status === 202,
      ).length;

    const warmedUp = await accepted(HTTP_WARM_UP, jobs);
    await events.untilTerminal(warmedUp, 60_000);
    const warmUpDone = events.counts().succeeded ?? 0;
    const cpuBefore = processCpuMs(switchyard.child.pid!);
    const started = performance.now();
    const timed = await accepted(jobs, 0);
    const enqueueMs = performance.now() - started;
    await events.untilTerminal(warmedUp + timed, 120_000);
    const totalMs = performance.now() - started;
    const cpuAfter = processCpuMs(switchyard.child.pid!);
    return {
      label:
        roles === 'all'
          ? `Switchyard through the HTTP API (POST /v1/jobs, ${HTTP_CLIENTS} keep-alive clients), every role in one process`
          : 'the same, the API process and one worker process',
      enqueueMs,
      totalMs,
      done: (events.counts().succeeded ?? 0) - warmUpDone,
      target: TARGET.http,
      ...(cpuBefore !== undefined && cpuAfter !== undefined
        ? {
            cpu: {
              ms: cpuAfter - cpuBefore,
              of: roles === 'all' ? 'the Switchyard process' : 'the API process',
            },
          }
        : {}),
    };
  } finally {
    client.close();
    await events.close();
    await switchyard?.stop();
    await workers?.stop();
    removeConfig(path);
  }
}
