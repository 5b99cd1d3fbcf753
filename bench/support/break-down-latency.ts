import { performance } from 'node:perf_hooks';
import type { Services } from '@switchyard/app/services';
import type { Broker, Job } from '@switchyard/broker';
import type { TimedResponse } from './keep-alive-client.ts';
import { sortNumbers } from './quantile.ts';
import { runPool } from './run-pool.ts';

/** When the API process saw a job's submit return and its wait end (`performance.now()`). */
export interface ApiStamps {
  submitted?: number;
  answered?: number;
}

/** Mean milliseconds per segment of a request through Switchyard, from job records and API stamps. */
export interface Breakdown {
  jobs: number;
  unexpected: number;
  segments: number[];
}

export const SEGMENTS = [
  'client -> submit starts (HTTP in, routing, auth, validation)',
  'submit (plan, admission; fast path: record + quota in one Lua call; queue path: record, BullMQ add)',
  'submit returns -> attempt starts (queue path: BullMQ fetch, job read, claim; fast path: ~0)',
  'provider call (adapter, node:http keep-alive)',
  'call ends -> API has the finished job (bookkeeping, success transition; queue path: event, job read)',
  'API -> client (serialise, HTTP out, client reads)',
];

/**
 * Records, in the API process, when `submit` returns and when `waitFor` hands back the
 * finished job: the route reads `services.broker` once, at registration, so this wraps it
 * before `buildApp`. Costs a `performance.now()` and a map entry per call.
 */
export function stampApiSide(services: Services): Map<string, ApiStamps> {
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
export function wallClockOffset(): number {
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
export async function breakDownLatency(
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
