import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildApp } from '@switchyard/app/app';
import { createServices, type Services } from '@switchyard/app/services';
import type { Broker, Job } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { startSimulator } from '@switchyard/provider-sim';
import { createLogger } from '../apps/switchyard/src/observability/create-logger.ts';
import { type SwitchyardProcess, writeConfig } from '../test/support/switchyard-process.ts';
import { benchPrefix, deleteKeys } from './support/bench-prefix.ts';
import { formatNumber, type Table, verdict } from './support/format-table.ts';
import {
  createKeepAliveClient,
  type KeepAliveClient,
  type TimedResponse,
} from './support/keep-alive-client.ts';
import { quantile, sortNumbers } from './support/quantile.ts';
import { runPool } from './support/run-pool.ts';
import { addSimulatedProvider, benchConfig, MODEL, removeConfig } from './support/simulated-setup.ts';
import { startWorkerProcess, workerEntryNote } from './support/start-worker-process.ts';

/** Issue #6: at most this much added at p50, sequential (Portkey's gateway adds 2.4 ms, LiteLLM's 4.3 ms). */
const TARGET_ADDED_P50_MS = 1.5;
const API_KEY = 'bench-latency-key-0123456789';
const ROUTE = 'main';
/** Sequential requests per side run first and thrown away: connections, scripts and JIT warm up. */
const WARM_UP = 200;
/** Sequential requests alternate between the two sides in blocks of this many. */
const BLOCK = 100;
/** The concurrent measurement alternates sides this many times (direct, via, via, direct...). */
const CONCURRENT_ROUNDS = 2;
const PROMPT =
  'Summarize in one sentence. The river rose overnight after three days of rain. Crews worked until dawn to reinforce the banks, and the bridge reopened at noon.';

export interface AddedLatencyOptions {
  /** Sequential requests per side, after the warm-up (default 2,000). */
  requests?: number;
  /** Requests per side at `concurrency` in flight (default 4,000). */
  concurrentRequests?: number;
  /** Requests in flight in the concurrent measurement (default 200). */
  concurrency?: number;
  /** Also measure with the workers in one child process (default true). */
  childProcess?: boolean;
}

type Where = 'in-process' | 'child';

/** When the API process saw a job's submit return and its wait end (`performance.now()`). */
interface ApiStamps {
  submitted?: number;
  answered?: number;
}

/** One side of a comparison: its answers and the time spent sending them. */
interface Side {
  responses: TimedResponse[];
  elapsedMs: number;
}

interface Run {
  where: Where;
  sequential: { direct: Side; via: Side };
  concurrent: { direct: Side; via: Side };
  breakdown: { sequential: Breakdown; concurrent: Breakdown };
}

/** Mean milliseconds per segment of a request through Switchyard, from job records and API stamps. */
interface Breakdown {
  jobs: number;
  unexpected: number;
  segments: number[];
}

const SEGMENTS = [
  'client -> submit starts (HTTP in, routing, auth, validation)',
  'submit (plan, job record, BullMQ add)',
  'worker pick-up -> attempt starts (BullMQ fetch, job read, claim)',
  'provider call inside the worker (adapter, node:http keep-alive)',
  'call ends -> API has the finished job (bookkeeping, success transition, event, job read)',
  'API -> client (serialise, HTTP out, client reads)',
];

/**
 * Added latency of `/v1/chat/completions`: the same request to a zero-latency simulated
 * provider directly and through Switchyard (the real app on a real port, a job per request),
 * from one keep-alive HTTP client, one at a time and at `concurrency` in flight, the two sides
 * alternating so the machine's noise hits both alike. Workers in this process, then in one
 * child process.
 */
export async function addedLatency(options: AddedLatencyOptions = {}): Promise<Table[]> {
  const requests = options.requests ?? 2_000;
  const concurrentRequests = options.concurrentRequests ?? 4_000;
  const concurrency = options.concurrency ?? 200;
  const prefix = benchPrefix();
  const simulator = await startSimulator({ providers: [] });
  // Concurrency as high as the load: no limit of Switchyard's should queue anything here.
  const provider = addSimulatedProvider(simulator, { id: 'direct', concurrency });
  const raw = {
    ...benchConfig({ prefix, providers: [provider], routes: { [ROUTE]: [`${provider.id}/${MODEL}`] } }),
    auth: { apiKeys: [{ key: API_KEY, tenant: 'bench' }] },
  };
  const client = createKeepAliveClient(concurrency);
  const messages = [{ role: 'user', content: PROMPT }];
  const direct = () =>
    client.post(
      `${provider.baseUrl}/chat/completions`,
      { model: MODEL, messages, max_tokens: 64 },
      { authorization: 'Bearer sim-key' },
    );
  try {
    const runs: Run[] = [];
    const wheres: Where[] = options.childProcess === false ? ['in-process'] : ['in-process', 'child'];
    for (const where of wheres) {
      runs.push(
        await measureRun({ where, raw, client, direct, messages, requests, concurrentRequests, concurrency }),
      );
    }
    return [
      sequentialTable(runs, requests),
      concurrentTable(runs, concurrentRequests, concurrency),
      breakdownTable(runs, concurrency),
    ];
  } finally {
    client.close();
    await simulator.close();
    await deleteKeys(prefix);
  }
}

async function measureRun(context: {
  where: Where;
  raw: object;
  client: KeepAliveClient;
  direct: () => Promise<TimedResponse>;
  messages: { role: string; content: string }[];
  requests: number;
  concurrentRequests: number;
  concurrency: number;
}): Promise<Run> {
  const { where, raw, client, direct, requests, concurrentRequests, concurrency } = context;
  const config = parseConfig(raw, {});
  // As main.ts runs it: request and attempt logs serialised at info level, written nowhere.
  const logger = createLogger({ write() {} });
  const services = createServices(config, { logger });
  const path = where === 'child' ? writeConfig(raw) : undefined;
  let child: SwitchyardProcess | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    if (path) child = await startWorkerProcess(path);
    else await services.startWorkers();
    const stamps = stampApiSide(services);
    app = await buildApp(services, { logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const via = () =>
      client.post(
        `http://127.0.0.1:${port}/v1/chat/completions`,
        { model: ROUTE, messages: context.messages, max_tokens: 64 },
        { authorization: `Bearer ${API_KEY}` },
      );
    await alternateSequential(WARM_UP, direct, via);
    const sequential = await alternateSequential(requests, direct, via);
    await alternateConcurrent(concurrency * 2, concurrency, 1, direct, via);
    const concurrent = await alternateConcurrent(
      concurrentRequests,
      concurrency,
      CONCURRENT_ROUNDS,
      direct,
      via,
    );
    const offset = wallClockOffset();
    return {
      where,
      sequential,
      concurrent,
      breakdown: {
        sequential: await breakDown(services.broker, sequential.via.responses, stamps, offset),
        concurrent: await breakDown(services.broker, concurrent.via.responses, stamps, offset),
      },
    };
  } finally {
    await app?.close();
    await child?.stop();
    if (path) removeConfig(path);
    await services.close();
  }
}

/** `count` requests per side, one at a time, the sides alternating every `BLOCK` requests. */
async function alternateSequential(
  count: number,
  direct: () => Promise<TimedResponse>,
  via: () => Promise<TimedResponse>,
): Promise<{ direct: Side; via: Side }> {
  const sides = { direct: emptySide(), via: emptySide() };
  for (let done = 0; done < count; done += BLOCK) {
    const block = Math.min(BLOCK, count - done);
    for (const [side, send] of [
      [sides.direct, direct],
      [sides.via, via],
    ] as const) {
      const started = performance.now();
      for (let index = 0; index < block; index++) side.responses.push(await send());
      side.elapsedMs += performance.now() - started;
    }
  }
  return sides;
}

/** `count` requests per side with `concurrency` in flight, in `rounds` alternating blocks (ABBA...). */
async function alternateConcurrent(
  count: number,
  concurrency: number,
  rounds: number,
  direct: () => Promise<TimedResponse>,
  via: () => Promise<TimedResponse>,
): Promise<{ direct: Side; via: Side }> {
  const sides = { direct: emptySide(), via: emptySide() };
  const perRound = Math.ceil(count / rounds);
  for (let round = 0; round < rounds; round++) {
    const block = Math.min(perRound, count - round * perRound);
    const order = [
      [sides.direct, direct],
      [sides.via, via],
    ] as const;
    for (const [side, send] of round % 2 === 0 ? order : [...order].reverse()) {
      const started = performance.now();
      side.responses.push(...(await runPool(block, concurrency, () => send())));
      side.elapsedMs += performance.now() - started;
    }
  }
  return sides;
}

const emptySide = (): Side => ({ responses: [], elapsedMs: 0 });

/** Milliseconds of the answered (200) requests, sorted. */
function latencies(side: Side): number[] {
  return sortNumbers(
    side.responses.filter((response) => response.status === 200).map((r) => r.receivedAt - r.sentAt),
  );
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;

const answered = (side: Side) => side.responses.filter((response) => response.status === 200).length;

/**
 * Records, in the API process, when `submit` returns and when `waitFor` hands back the
 * finished job: the route reads `services.broker` once, at registration, so this wraps it
 * before `buildApp`. Costs a `performance.now()` and a map entry per call.
 */
function stampApiSide(services: Services): Map<string, ApiStamps> {
  const stamps = new Map<string, ApiStamps>();
  const broker = services.broker;
  const submit = broker.submit.bind(broker);
  const waitFor = broker.waitFor.bind(broker);
  broker.submit = async (request) => {
    const job = await submit(request);
    stamps.set(job.id, { submitted: performance.now() });
    return job;
  };
  broker.waitFor = async (id, timeoutMs) => {
    const job = await waitFor(id, timeoutMs);
    const entry = stamps.get(id);
    if (entry) entry.answered = performance.now();
    return job;
  };
  return stamps;
}

/**
 * `Date.now()` minus `performance.timeOrigin + performance.now()`, measured at Date.now()'s
 * millisecond ticks (median of 5), to put job-record stamps and this process's timings on one clock.
 */
function wallClockOffset(): number {
  const offsets: number[] = [];
  for (let sample = 0; sample < 5; sample++) {
    const start = Date.now();
    let now = start;
    while (now === start) now = Date.now();
    offsets.push(now - (performance.timeOrigin + performance.now()));
  }
  return sortNumbers(offsets)[2]!;
}

/**
 * Where a request through Switchyard spends its time, as means over the jobs: the job
 * record's millisecond stamps (`created_at` when submit starts, the attempt's `started_at`
 * and `finished_at`, taken as the middle of their millisecond) and the API-side stamps.
 */
async function breakDown(
  broker: Broker,
  responses: readonly TimedResponse[],
  stamps: Map<string, ApiStamps>,
  offset: number,
): Promise<Breakdown> {
  const wall = (at: number) => performance.timeOrigin + at + offset;
  const stamp = (iso: string) => Date.parse(iso) + 0.5;
  const sums = SEGMENTS.map(() => 0);
  let jobs = 0;
  let unexpected = 0;
  const jobsById = new Map<string, Job | undefined>();
  await runPool(responses.length, 50, async (index) => {
    const id = responses[index]!.jobId;
    if (id) jobsById.set(id, await broker.get(id));
  });
  for (const response of responses) {
    const job = response.jobId ? jobsById.get(response.jobId) : undefined;
    const api = response.jobId ? stamps.get(response.jobId) : undefined;
    const attempt = job?.attempts[0];
    if (
      response.status !== 200 ||
      job?.status !== 'succeeded' ||
      job.attempts.length !== 1 ||
      !attempt ||
      api?.submitted === undefined ||
      api.answered === undefined
    ) {
      unexpected += 1;
      continue;
    }
    const points = [
      wall(response.sentAt),
      stamp(job.created_at),
      wall(api.submitted),
      stamp(attempt.started_at),
      stamp(attempt.finished_at),
      wall(api.answered),
      wall(response.receivedAt),
    ];
    for (let segment = 0; segment < SEGMENTS.length; segment++) {
      sums[segment]! += points[segment + 1]! - points[segment]!;
    }
    jobs += 1;
  }
  return { jobs, unexpected, segments: sums.map((sum) => sum / jobs) };
}

const WHERE_LABEL: Record<Where, string> = {
  'in-process': 'workers in this process',
  child: 'workers in a child process',
};

function sequentialTable(runs: readonly Run[], requests: number): Table {
  const rows: string[][] = [];
  for (const run of runs) {
    const direct = latencies(run.sequential.direct);
    const via = latencies(run.sequential.via);
    const row = (label: string, directMs: number, viaMs: number, target?: boolean) => {
      const added = viaMs - directMs;
      return [
        `${WHERE_LABEL[run.where]}: ${label}`,
        formatNumber(directMs, 2),
        formatNumber(viaMs, 2),
        formatNumber(added, 2),
        target ? `<= ${TARGET_ADDED_P50_MS} ms` : '',
        target ? verdict(added <= TARGET_ADDED_P50_MS) : '',
      ];
    };
    rows.push(row('p50', quantile(direct, 0.5), quantile(via, 0.5), true));
    rows.push(row('p90', quantile(direct, 0.9), quantile(via, 0.9)));
    rows.push(row('p99', quantile(direct, 0.99), quantile(via, 0.99)));
    rows.push(row('mean', mean(direct), mean(via)));
  }
  const counts = runs
    .map(
      (run) =>
        `${WHERE_LABEL[run.where]}: ${answered(run.sequential.direct)} / ${answered(run.sequential.via)} answered 200`,
    )
    .join('; ');
  return {
    title: `added-latency, sequential: POST /v1/chat/completions vs the simulator directly, ${formatNumber(requests)} requests per side`,
    columns: [
      'workers: quantile',
      'direct (ms)',
      'via Switchyard (ms)',
      'added (ms)',
      'target',
      'Switchyard',
    ],
    rows,
    notes: [
      `One request at a time from one keep-alive node:http client, the same for both sides; the two sides alternate every ${BLOCK} requests; ${WARM_UP} warm-up requests per side dropped. ${counts}.`,
      'Direct = POST /chat/completions to a zero-latency simulated OpenAI-format provider (no limits) in this process. Via Switchyard = POST /v1/chat/completions on the real app (buildApp + createServices, listening on a port, logging as main.ts does but to nowhere), one job per request: job record, provider queue, worker, the same simulator, answer relayed.',
      `Added = via quantile - direct quantile. Issue #6 target: <= ${TARGET_ADDED_P50_MS} ms at p50 (Portkey's gateway adds 2.4 ms, LiteLLM's 4.3 ms, both without a queue).`,
      `Child-process rows: the API in this process, ${workerEntryNote()}.`,
    ],
  };
}

function concurrentTable(runs: readonly Run[], concurrentRequests: number, concurrency: number): Table {
  const rows: string[][] = [];
  for (const run of runs) {
    const { direct, via } = run.concurrent;
    const directMs = latencies(direct);
    const viaMs = latencies(via);
    const rate = (side: Side) => (answered(side) / side.elapsedMs) * 1000;
    rows.push([
      `${WHERE_LABEL[run.where]}: direct`,
      `${answered(direct)}`,
      formatNumber(quantile(directMs, 0.5), 1),
      formatNumber(quantile(directMs, 0.99), 1),
      formatNumber(rate(direct)),
    ]);
    rows.push([
      `${WHERE_LABEL[run.where]}: via Switchyard`,
      `${answered(via)}`,
      formatNumber(quantile(viaMs, 0.5), 1),
      formatNumber(quantile(viaMs, 0.99), 1),
      formatNumber(rate(via)),
    ]);
    rows.push([
      `${WHERE_LABEL[run.where]}: added (via ÷ direct for requests/s)`,
      '',
      formatNumber(quantile(viaMs, 0.5) - quantile(directMs, 0.5), 1),
      formatNumber(quantile(viaMs, 0.99) - quantile(directMs, 0.99), 1),
      formatNumber(rate(via) / rate(direct), 3),
    ]);
  }
  return {
    title: `added-latency, ${concurrency} concurrent: ${formatNumber(concurrentRequests)} requests per side`,
    columns: ['run', 'answered 200', 'p50 (ms)', 'p99 (ms)', 'requests/s'],
    rows,
    notes: [
      `${concurrency} requests in flight from the same client (${concurrency} keep-alive connections per side), after ${formatNumber(concurrency * 2)} warm-up requests per side; the sides alternate in ${CONCURRENT_ROUNDS} blocks (direct, via, via, direct). Requests/s = answers ÷ time spent on that side.`,
      `Provider concurrency is set to ${concurrency}, so no Switchyard limit holds a job back: the latency is the broker's own queueing and work.`,
    ],
  };
}

function breakdownTable(runs: readonly Run[], concurrency: number): Table {
  const columns: { label: string; breakdown: Breakdown; direct: Side; via: Side }[] = [];
  for (const run of runs) {
    const name = run.where === 'in-process' ? 'in this process' : 'child process';
    columns.push({ label: `sequential, ${name}`, breakdown: run.breakdown.sequential, ...run.sequential });
    columns.push({
      label: `${concurrency} concurrent, ${name}`,
      breakdown: run.breakdown.concurrent,
      ...run.concurrent,
    });
  }
  const rows = SEGMENTS.map((segment, index) => [
    segment,
    ...columns.map((column) => formatNumber(column.breakdown.segments[index]!, 2)),
  ]);
  rows.push([
    'total: via Switchyard (mean)',
    ...columns.map((column) => formatNumber(mean(latencies(column.via)), 2)),
  ]);
  rows.push([
    'for comparison: direct call from the client (mean)',
    ...columns.map((column) => formatNumber(mean(latencies(column.direct)), 2)),
  ]);
  const skipped = columns.filter((column) => column.breakdown.unexpected > 0);
  return {
    title: 'added-latency, where the time goes: mean ms per segment of a request through Switchyard',
    columns: ['segment', ...columns.map((column) => column.label)],
    rows,
    notes: [
      "From each job's record (created_at = submit starts; attempts[0].started_at after the claim, finished_at when the provider answered) and two stamps taken in the API process (submit returned, waitFor returned the finished job), on this process's clock; the record's millisecond stamps are taken as the middle of their millisecond, so single requests are +/- 1 ms but the means are not biased.",
      'The segments add up to the total. The fourth segment is the same simulator call as the direct one, made by the worker with the adapter (node:http, keep-alive) instead of the client.',
      ...(skipped.length > 0
        ? [
            `Left out (not 200, not one successful attempt, or no stamps): ${skipped.map((column) => `${column.breakdown.unexpected} in ${column.label}`).join(', ')}.`,
          ]
        : []),
    ],
  };
}
