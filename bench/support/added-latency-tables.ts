import { type Breakdown, SEGMENTS } from './break-down-latency.ts';
import { formatNumber, type Table, verdict } from './format-table.ts';
import type { TimedResponse } from './keep-alive-client.ts';
import { quantile, sortNumbers } from './quantile.ts';
import { workerEntryNote } from './start-worker-process.ts';

/** Performance targets: Switchyard's added p50 at most half Portkey's, sequential. */
const TARGET_ADDED_RATIO = 0.5;
/** Performance targets: Switchyard's added p50, sequential, keep-alive client. */
const TARGET_ADDED_P50_MS = 1.0;
/** Performance targets: Switchyard's added p99, sequential. */
const TARGET_ADDED_P99_MS = 5;
/** Performance targets: Switchyard's requests/s at 200 in flight, at least twice Portkey's. */
const TARGET_RATE_RATIO = 2;

/** The three ways a request reaches the simulator. */
export type SideName = 'direct' | 'portkey' | 'switchyard';
export const SIDE_NAMES: readonly SideName[] = ['direct', 'portkey', 'switchyard'];

/** One side of a comparison: its answers and the time spent sending them. */
export interface Side {
  responses: TimedResponse[];
  elapsedMs: number;
}

export type Sides = Record<SideName, Side>;

export type Where = 'in-process' | 'child';

export interface Run {
  where: Where;
  sequential: Sides;
  concurrent: Sides;
  breakdown: { sequential: Breakdown; concurrent: Breakdown };
}

/** How the runs were made, for the notes under the tables. */
export interface RunShape {
  requests: number;
  concurrentRequests: number;
  concurrency: number;
  block: number;
  warmUp: number;
  concurrentRounds: number;
  portkey: { version: string; command: string };
}

const WHERE_LABEL: Record<Where, string> = {
  'in-process': 'workers in this process',
  child: 'workers in a child process',
};

/** Milliseconds of the answered (200) requests, sorted. */
function latencies(side: Side): number[] {
  return sortNumbers(
    side.responses.filter((response) => response.status === 200).map((r) => r.receivedAt - r.sentAt),
  );
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;

const answered = (side: Side) => side.responses.filter((response) => response.status === 200).length;

const rate = (side: Side) => (answered(side) / side.elapsedMs) * 1000;

/** `added` ÷ `baseline`, or NaN (printed n/a) when the baseline added nothing measurable. */
const ratio = (added: number, baseline: number) => (baseline > 0 ? added / baseline : Number.NaN);

/** Switchyard's and Portkey's added milliseconds at quantile `q` (sequential). */
function added(run: Run, q: number): { portkey: number; switchyard: number } {
  const direct = quantile(latencies(run.sequential.direct), q);
  return {
    portkey: quantile(latencies(run.sequential.portkey), q) - direct,
    switchyard: quantile(latencies(run.sequential.switchyard), q) - direct,
  };
}

/** The sequential, concurrent, breakdown and targets tables of the runs. */
export function addedLatencyTables(runs: readonly Run[], shape: RunShape): Table[] {
  return [
    sequentialTable(runs, shape),
    concurrentTable(runs, shape),
    breakdownTable(runs, shape.concurrency),
    targetsTable(runs, shape.concurrency),
  ];
}

function sequentialTable(runs: readonly Run[], shape: RunShape): Table {
  const rows: string[][] = [];
  for (const run of runs) {
    const sorted = {
      direct: latencies(run.sequential.direct),
      portkey: latencies(run.sequential.portkey),
      switchyard: latencies(run.sequential.switchyard),
    };
    const row = (label: string, pick: (values: number[]) => number) => {
      const [direct, portkey, switchyard] = SIDE_NAMES.map((name) => pick(sorted[name]));
      return [
        `${WHERE_LABEL[run.where]}: ${label}`,
        formatNumber(direct!, 2),
        formatNumber(portkey!, 2),
        formatNumber(switchyard!, 2),
        formatNumber(portkey! - direct!, 2),
        formatNumber(switchyard! - direct!, 2),
        formatNumber(ratio(switchyard! - direct!, portkey! - direct!), 2),
      ];
    };
    rows.push(row('p50', (values) => quantile(values, 0.5)));
    rows.push(row('p90', (values) => quantile(values, 0.9)));
    rows.push(row('p99', (values) => quantile(values, 0.99)));
    rows.push(row('mean', mean));
  }
  const counts = runs
    .map(
      (run) =>
        `${WHERE_LABEL[run.where]}: ${SIDE_NAMES.map((name) => answered(run.sequential[name])).join(' / ')}`,
    )
    .join('; ');
  return {
    title: `added-latency, sequential: POST /v1/chat/completions vs the simulator directly and through Portkey's gateway, ${formatNumber(shape.requests)} requests per side`,
    columns: [
      'workers: quantile',
      'direct (ms)',
      'via Portkey (ms)',
      'via Switchyard (ms)',
      'Portkey added (ms)',
      'Switchyard added (ms)',
      'Switchyard ÷ Portkey added',
    ],
    rows,
    notes: [
      `One request at a time from one keep-alive node:http client, the same for every side; the three sides take turns every ${shape.block} requests (the side that starts rotates); ${shape.warmUp} warm-up requests per side dropped. Answered 200 (direct / Portkey / Switchyard): ${counts}.`,
      'Direct = POST /chat/completions to a zero-latency simulated OpenAI-format provider (no limits) in this process. Via Switchyard = POST /v1/chat/completions on the real app (buildApp + createServices, listening on a port, logging as main.ts does but to nowhere), one job per request: job record, provider queue, worker, the same simulator, answer relayed.',
      `Via Portkey = POST /v1/chat/completions on @portkey-ai/gateway ${shape.portkey.version} in a child process (${shape.portkey.command}), headers x-portkey-provider: openai and x-portkey-custom-host: <the simulator provider's base URL>, forwarding to the same simulator. Portkey holds no queue and writes no record.`,
      `Added = side's quantile - direct quantile. Child-process rows: the API in this process, ${workerEntryNote()}.`,
    ],
  };
}

function concurrentTable(runs: readonly Run[], shape: RunShape): Table {
  const rows: string[][] = [];
  const label: Record<SideName, string> = {
    direct: 'direct',
    portkey: 'via Portkey',
    switchyard: 'via Switchyard',
  };
  for (const run of runs) {
    const directRate = rate(run.concurrent.direct);
    for (const name of SIDE_NAMES) {
      const side = run.concurrent[name];
      const sorted = latencies(side);
      rows.push([
        `${WHERE_LABEL[run.where]}: ${label[name]}`,
        `${answered(side)}`,
        formatNumber(quantile(sorted, 0.5), 1),
        formatNumber(quantile(sorted, 0.99), 1),
        formatNumber(rate(side)),
        formatNumber(rate(side) / directRate, 3),
      ]);
    }
  }
  const { concurrency, concurrentRounds } = shape;
  return {
    title: `added-latency, ${concurrency} concurrent: ${formatNumber(shape.concurrentRequests)} requests per side`,
    columns: ['run', 'answered 200', 'p50 (ms)', 'p99 (ms)', 'requests/s', '÷ direct'],
    rows,
    notes: [
      `${concurrency} requests in flight from the same client (${concurrency} keep-alive connections per side), after ${formatNumber(concurrency * 2)} warm-up requests per side; the sides take turns in ${concurrentRounds} blocks each (direct, Portkey, Switchyard, then the reverse order). Requests/s = answers ÷ time spent on that side.`,
      `Provider concurrency is set to ${concurrency}, so no Switchyard limit holds a job back: the latency is the broker's own queueing and work.`,
    ],
  };
}

function breakdownTable(runs: readonly Run[], concurrency: number): Table {
  const columns: { label: string; breakdown: Breakdown; sides: Sides }[] = [];
  for (const run of runs) {
    const name = run.where === 'in-process' ? 'in this process' : 'child process';
    columns.push({
      label: `sequential, ${name}`,
      breakdown: run.breakdown.sequential,
      sides: run.sequential,
    });
    columns.push({
      label: `${concurrency} concurrent, ${name}`,
      breakdown: run.breakdown.concurrent,
      sides: run.concurrent,
    });
  }
  const rows = SEGMENTS.map((segment, index) => [
    segment,
    ...columns.map((column) => formatNumber(column.breakdown.segments[index]!, 2)),
  ]);
  const total = (label: string, name: SideName) => [
    label,
    ...columns.map((column) => formatNumber(mean(latencies(column.sides[name])), 2)),
  ];
  rows.push(total('total: via Switchyard (mean)', 'switchyard'));
  rows.push(total('for comparison: via Portkey (mean)', 'portkey'));
  rows.push(total('for comparison: direct call from the client (mean)', 'direct'));
  const skipped = columns.filter((column) => column.breakdown.unexpected > 0);
  return {
    title: 'added-latency, where the time goes: mean ms per segment of a request through Switchyard',
    columns: ['segment', ...columns.map((column) => column.label)],
    rows,
    notes: [
      "From each job's record (created_at = submit starts; attempts[0].started_at after the claim, finished_at when the provider answered) and two stamps taken in the API process (submit returned, waitFor returned the finished job), on this process's clock; the record's millisecond stamps are taken as the middle of their millisecond, so single requests are +/- 1 ms but the means are not biased.",
      'The segments add up to the total. The fourth segment is the same simulator call as the direct one, made with the adapter (node:http, keep-alive) instead of the client: by the API process on the synchronous fast path (where the call starts before submit returns, so the third segment is about 0 or slightly negative), by a worker on the queue path.',
      ...(skipped.length > 0
        ? [
            `Left out (not 200, not one successful attempt, or no stamps): ${skipped.map((column) => `${column.breakdown.unexpected} in ${column.label}`).join(', ')}.`,
          ]
        : []),
    ],
  };
}

function targetsTable(runs: readonly Run[], concurrency: number): Table {
  const rows: string[][] = [];
  for (const run of runs) {
    const p50 = added(run, 0.5);
    const p99 = added(run, 0.99);
    const addedRatio = ratio(p50.switchyard, p50.portkey);
    const rateRatio = rate(run.concurrent.switchyard) / rate(run.concurrent.portkey);
    const where = WHERE_LABEL[run.where];
    rows.push(
      [
        `${where}: Switchyard added p50 ÷ Portkey added p50, sequential`,
        `${formatNumber(p50.switchyard, 2)} ÷ ${formatNumber(p50.portkey, 2)} = ${formatNumber(addedRatio, 2)}`,
        `<= ${TARGET_ADDED_RATIO}`,
        verdict(addedRatio <= TARGET_ADDED_RATIO),
      ],
      [
        `${where}: Switchyard added p50, sequential, keep-alive client`,
        `${formatNumber(p50.switchyard, 2)} ms`,
        `<= ${formatNumber(TARGET_ADDED_P50_MS, 1)} ms`,
        verdict(p50.switchyard <= TARGET_ADDED_P50_MS),
      ],
      [
        `${where}: Switchyard added p99, sequential`,
        `${formatNumber(p99.switchyard, 2)} ms`,
        `<= ${TARGET_ADDED_P99_MS} ms`,
        verdict(p99.switchyard <= TARGET_ADDED_P99_MS),
      ],
      [
        `${where}: ${concurrency} concurrent, Switchyard requests/s ÷ Portkey requests/s`,
        `${formatNumber(rate(run.concurrent.switchyard))} ÷ ${formatNumber(rate(run.concurrent.portkey))} = ${formatNumber(rateRatio, 2)}`,
        `>= ${TARGET_RATE_RATIO}`,
        verdict(rateRatio >= TARGET_RATE_RATIO),
      ],
    );
  }
  return {
    title: "added-latency, performance targets: Switchyard against Portkey's gateway, same run",
    columns: ['measure', 'measured', 'target', 'Switchyard'],
    rows,
    notes: [
      'Added = quantile through the gateway - quantile of the direct call, both from the tables above. A ratio is n/a when Portkey added nothing measurable.',
    ],
  };
}
