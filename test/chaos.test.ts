import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createKeys, type Job, jobOfRecord } from '@switchyard/broker';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChaosProcess, createProcessGroup } from './support/chaos-processes.ts';
import { type RedisServer, startRedisServer } from './support/chaos-redis.ts';
import {
  answerOf,
  chaosConfig,
  jobIndexOf,
  MAX_TOKENS,
  OUTAGE_PROVIDER,
  PROVIDERS,
  promptOf,
  simulatedProviders,
} from './support/chaos-scenario.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/chaos-webhook-receiver.ts';
import { until } from './support/poll.ts';

// Issue #6, the chaos test: 2,000 jobs over four simulated providers that inject 429s, 5xx,
// timeouts and malformed bodies, one of them down for 20 seconds; two worker processes killed
// with SIGKILL mid-run and replaced; Switchyard's Redis (AOF) crashed and restarted mid-run.
// Every job must end terminal, at least 99.9 % succeeded, none with two results, every webhook
// verified.
//
// Everything is real: one API process and two worker processes (apps/switchyard) on a
// redis-server of their own, the simulator and a webhook receiver over HTTP. The kills and the
// Redis restart are triggered by progress (terminal webhooks received); the outage is timed by
// the simulator. "Restart" is the harsh kind: SIGKILL, no shutdown work at all, then a new
// redis-server on the same folder, which reloads the AOF. With `appendfsync always` nothing
// Redis acknowledged is lost (see support/chaos-redis.ts); what the crash does lose are replies
// in flight, which ioredis answers by sending those commands again.
//
// CHAOS_LOGS=<folder> keeps every process's output.

const JOBS = 2_000;
/** Jobs are submitted at this pace (50 a second): the run lasts about 45 s, every event lands mid-run. */
const SUBMIT_INTERVAL_MS = 20;
const SUBMIT_LANES = 24;
const OUTAGE_MS = 20_000;
/** How soon a live worker takes over the jobs of a killed one (BullMQ lock duration and stalled check). */
const LOCK_DURATION_MS = 4_000;
const API_KEY = 'chaos-key-0123456789abcdef';
const WEBHOOK_SECRET = `whsec_${Buffer.from('switchyard-chaos-webhook-secret-0001').toString('base64')}`;

const group = createProcessGroup({ startTimeoutMs: 60_000 });
/** The configuration file and, should a process ever start a Redis of its own, its folder. */
const folder = mkdtempSync(join(tmpdir(), 'switchyard-chaos-'));
/** Aborted in afterAll: a submitter still running after a failure stops. */
const stopping = new AbortController();
let redis: RedisServer | undefined;
let simulator: Simulator | undefined;
let simulatorStartedAt = 0;
let receiver: WebhookReceiver | undefined;
let apiUrl = '';
/** The worker processes, in the order they were started. */
const workers: ChaosProcess[] = [];

function environment(role: 'api' | 'worker'): Record<string, string> {
  return {
    SWITCHYARD_CONFIG: join(folder, 'switchyard.yaml'),
    SWITCHYARD_ROLE: role,
    SWITCHYARD_DATA_DIR: join(folder, 'embedded-redis'),
    REDIS_URL: redis!.url,
    PORT: '0',
    SWITCHYARD_LOCK_DURATION_MS: String(LOCK_DURATION_MS),
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
  };
}

async function startWorker(): Promise<ChaosProcess> {
  const { process: worker } = await group.start(environment('worker'));
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  redis = await startRedisServer();
  simulatorStartedAt = Date.now();
  simulator = await startSimulator({ providers: simulatedProviders() });
  receiver = await startWebhookReceiver(WEBHOOK_SECRET);
  const sim = simulator;
  const config = chaosConfig({
    baseUrlFor: (id) => sim.baseUrlFor(id),
    redisUrl: redis.url,
    apiKey: API_KEY,
    webhookSecret: WEBHOOK_SECRET,
  });
  writeFileSync(join(folder, 'switchyard.yaml'), JSON.stringify(config, null, 2));
  const [api] = await Promise.all([group.start(environment('api')), startWorker(), startWorker()]);
  apiUrl = String(api.ready.api);
}, 120_000);

afterAll(async () => {
  stopping.abort();
  await group.killAll();
  const logs = process.env.CHAOS_LOGS;
  if (logs) {
    mkdirSync(logs, { recursive: true });
    for (const [index, started] of group.processes.entries())
      writeFileSync(join(logs, `${index + 1}-${started.role}.log`), started.output());
    if (redis) writeFileSync(join(logs, 'redis.log'), redis.output());
  }
  await simulator?.close();
  await receiver?.close();
  await redis?.destroy();
  rmSync(folder, { recursive: true, force: true });
});

/** Resolves once `count` jobs have had their terminal webhook delivered (and verified). */
function progress(count: number, what: string): Promise<true> {
  return until(() => receiver!.terminal.size >= count, { timeoutMs: 90_000, message: what });
}

/** Resolves once the providers hold at least `count` calls in flight. */
function callsInFlight(count: number): Promise<true> {
  return until(
    () => {
      const stats = Object.values(simulator!.stats(undefined, 0));
      return stats.reduce((sum, provider) => sum + provider.inFlight, 0) >= count;
    },
    { message: `${count} provider calls in flight`, timeoutMs: 30_000 },
  );
}

interface ChaosLog {
  outageAt?: number;
  kills: { at: number; terminalJobs: number; exit: NodeJS.Signals | number | null }[];
  redisRestart?: { at: number; terminalJobs: number; pids: (number | undefined)[] };
}

/** The chaos, in order, each step triggered by how many jobs have finished. */
async function unleashChaos(log: ChaosLog): Promise<void> {
  const kill = async (victim: ChaosProcess) => {
    await callsInFlight(2);
    const at = Date.now();
    const terminalJobs = receiver!.terminal.size;
    victim.child.kill('SIGKILL');
    log.kills.push({ at, terminalJobs, exit: await victim.exited() });
    await startWorker();
  };
  const [first, second] = workers;

  await progress(JOBS * 0.1, '10% of the jobs, before the outage');
  log.outageAt = Date.now();
  simulator!.configure(OUTAGE_PROVIDER, {
    outages: [{ afterMs: log.outageAt - simulatorStartedAt, durationMs: OUTAGE_MS, mode: 'timeout' }],
  });

  await progress(JOBS * 0.25, '25% of the jobs, before the first kill');
  await kill(first!);

  // No Switchyard process is starting now: one that found no Redis would start its own.
  await progress(JOBS * 0.5, '50% of the jobs, before the Redis restart');
  const at = Date.now();
  const terminalJobs = receiver!.terminal.size;
  const before = redis!.pid();
  await redis!.crash();
  await redis!.start();
  log.redisRestart = { at, terminalJobs, pids: [before, redis!.pid()] };

  await progress(JOBS * 0.75, '75% of the jobs, before the second kill');
  await kill(second!);
}

interface Submitted {
  ids: string[];
  /** When each job was accepted (ms since the epoch). */
  acceptedAt: number[];
  /** Submissions sent again (same Idempotency-Key) after a 5xx or no answer. */
  retried: number;
  refused: string[];
}

/** Submits every job through the API at a steady pace; what gets no answer is sent again. */
async function submitAll(): Promise<Submitted> {
  const submitted: Submitted = { ids: [], acceptedAt: [], retried: 0, refused: [] };
  const startedAt = Date.now();
  let next = 0;
  const submit = async (index: number) => {
    const giveUpAt = Date.now() + 60_000;
    let problem = 'stopped';
    while (!stopping.signal.aborted) {
      try {
        const response = await fetch(`${apiUrl}/jobs`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${API_KEY}`,
            'content-type': 'application/json',
            'idempotency-key': `chaos-${index}`,
          },
          body: JSON.stringify({
            route: 'chaos',
            prompt: promptOf(index),
            max_tokens: MAX_TOKENS,
            callback_url: receiver!.url,
            metadata: { index },
          }),
          signal: AbortSignal.timeout(20_000),
        });
        const text = await response.text();
        if (response.status === 202) {
          submitted.ids[index] = (JSON.parse(text) as { id: string }).id;
          submitted.acceptedAt[index] = Date.now();
          return;
        }
        problem = `HTTP ${response.status}: ${text}`;
        if (response.status < 500) break;
      } catch (error) {
        problem = String(error);
      }
      if (Date.now() > giveUpAt) break;
      submitted.retried++;
      await delay(200);
    }
    submitted.refused.push(`job ${index}: ${problem}`);
  };
  const lane = async () => {
    for (let index = next++; index < JOBS && !stopping.signal.aborted; index = next++) {
      const due = startedAt + index * SUBMIT_INTERVAL_MS;
      if (due > Date.now()) await delay(due - Date.now());
      await submit(index);
    }
  };
  await Promise.all(Array.from({ length: SUBMIT_LANES }, lane));
  return submitted;
}

async function readJobs(ids: string[]): Promise<Job[]> {
  const jobs = new Array<Job>(ids.length);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < ids.length; index = next++) {
      const response = await fetch(`${apiUrl}/jobs/${ids[index]}`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      expect(response.status).toBe(200);
      jobs[index] = (await response.json()) as Job;
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return jobs;
}

/** Where a job that never got its webhook is: its record and its queue entries. */
async function describeMissing(ids: string[]): Promise<string> {
  const connection = new Redis(redis!.url, { maxRetriesPerRequest: null });
  const keys = createKeys('chaos');
  const queue = (name: string) => new Queue(name, { connection, prefix: '{chaos}' });
  try {
    const lines = await Promise.all(
      ids.map(async (id) => {
        const attempts = await connection.lrange(keys.jobAttempts(id), 0, -1);
        const record = jobOfRecord(await connection.hgetall(keys.job(id)), attempts);
        const plan = record?.plan ?? [];
        const target = Number(record?.target);
        const providerQueue = queue(keys.providerQueue(plan[target]?.provider ?? 'none'));
        const finalize = queue(keys.finalizeQueue);
        const states = {
          provider: await providerQueue.getJobState(`${id}-${target}`),
          finalize: await finalize.getJobState(`${id}-final`),
        };
        await Promise.all([providerQueue.close(), finalize.close()]);
        return JSON.stringify({ id, status: record?.status, target, tries: record?.tries, states, attempts });
      }),
    );
    return lines.join('\n');
  } finally {
    await connection.quit();
  }
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

it('runs 2,000 jobs through injected failures, an outage, two SIGKILLed workers and a Redis crash', async () => {
  const runStartedAt = Date.now();
  const chaos: ChaosLog = { kills: [] };
  const [submitted] = await Promise.all([submitAll(), unleashChaos(chaos)]);
  expect(submitted.refused).toEqual([]);
  const { ids } = submitted;
  expect(new Set(ids).size).toBe(JOBS);

  // Every job's terminal webhook arrives; when one does not, say where each missing job is.
  try {
    await until(() => receiver!.terminal.size >= JOBS, {
      message: 'a terminal webhook for every job',
      timeoutMs: 90_000,
    });
  } catch (error) {
    const missing = ids.filter((id) => !receiver!.terminal.has(id));
    throw new Error(
      `${(error as Error).message}: ${missing.length} jobs without one:\n${await describeMissing(missing.slice(0, 20))}`,
    );
  }
  const finishedAt = Date.now();

  // No queue keeps an entry for any job: nothing waits, runs or sits delayed.
  const connection = new Redis(redis!.url, { maxRetriesPerRequest: null });
  const keys = createKeys('chaos');
  const queues = [...PROVIDERS.map((id) => keys.providerQueue(id)), keys.finalizeQueue, 'webhooks'].map(
    (name) => new Queue(name, { connection, prefix: '{chaos}' }),
  );
  try {
    await until(
      async () => {
        const counts = await Promise.all(
          queues.map((queue) => queue.getJobCounts('wait', 'active', 'delayed', 'prioritized')),
        );
        return counts.every((count) => Object.values(count).every((value) => value === 0));
      },
      { timeoutMs: 30_000, message: 'every queue to drain' },
    );
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
    await connection.quit();
  }

  // What the run did, for the log.
  const jobs = await readJobs(ids);
  const indexOf = new Map(ids.map((id, index) => [id, index]));
  const succeeded = jobs.filter((job) => job.status === 'succeeded');
  const attempts = jobs.flatMap((job) => job.attempts);
  const received = receiver!.received;
  const deliveriesOf = new Map<string, typeof received>();
  for (const delivery of received) {
    const id = String(delivery.body?.data.id);
    deliveriesOf.set(id, [...(deliveriesOf.get(id) ?? []), delivery]);
  }
  const webhookIds = new Set(received.map((delivery) => delivery.webhookId));

  // The providers' side, from the simulator's request logs: calls per job and provider.
  const simulated = simulator!.stats(undefined, 10_000);
  const calls = new Map<string, (typeof simulated)[string]['log']>();
  const callsOf = (index: number, provider: string) => calls.get(`${index} ${provider}`) ?? [];
  let outageCalls = 0;
  let probes = 0;
  const injected: Record<string, number> = {};
  for (const [provider, stats] of Object.entries(simulated)) {
    for (const [kind, count] of Object.entries(stats.failuresInjected))
      injected[kind] = (injected[kind] ?? 0) + count;
    for (const entry of stats.log) {
      const index = jobIndexOf(entry.inputTokens, JOBS);
      // A call that meets the outage is logged before its body is read: of no known job.
      if (entry.outcome === 'outage') outageCalls++;
      else if (index === undefined) probes++;
      else calls.set(`${index} ${provider}`, [...callsOf(index, provider), entry]);
    }
  }
  const answersOf = (index: number) =>
    PROVIDERS.flatMap((provider) => callsOf(index, provider)).filter((entry) => entry.outcome === 'ok');

  const figures = {
    seconds: {
      run: seconds(finishedAt - runStartedAt),
      submitting: seconds(Math.max(...submitted.acceptedAt) - runStartedAt),
      longestWebhookWait: seconds(
        Math.max(
          ...jobs.map(
            (job) =>
              Math.min(...(deliveriesOf.get(job.id) ?? []).map((delivery) => delivery.at)) -
              Date.parse(job.completed_at!),
          ),
        ),
      ),
    },
    jobs: countBy(jobs, (job) => job.status),
    notSucceeded: jobs
      .filter((job) => job.status !== 'succeeded')
      .map(({ id, status, error, attempts }) => ({ id, status, error, attempts })),
    resultsBy: countBy(succeeded, (job) => job.result!.provider),
    attempts: countBy(attempts, (attempt) => attempt.outcome),
    rerouted: jobs.filter((job) => new Set(job.attempts.map((attempt) => attempt.provider)).size > 1).length,
    providerCalls: {
      ofJobs: [...calls.values()].reduce((sum, list) => sum + list.length, 0),
      duringOutage: outageCalls,
      probes,
      recordedAsAttempts: attempts.filter((attempt) => attempt.outcome !== 'skipped').length,
      jobsAnsweredTwice: jobs.filter((_job, index) => answersOf(index).length > 1).length,
    },
    injected,
    webhooks: { deliveries: received.length, webhookIds: webhookIds.size, submitRetries: submitted.retried },
    chaos: {
      outageAt: seconds(chaos.outageAt! - runStartedAt),
      kills: chaos.kills.map((kill) => `${seconds(kill.at - runStartedAt)}s after ${kill.terminalJobs} jobs`),
      redisRestart: `${seconds(chaos.redisRestart!.at - runStartedAt)}s after ${chaos.redisRestart!.terminalJobs} jobs`,
    },
  };
  console.log(
    `chaos test:\n${Object.entries(figures)
      .map(([name, value]) => `  ${name}: ${JSON.stringify(value)}`)
      .join('\n')}`,
  );

  // 1. Every job is terminal, at least 99.9 % succeeded, each with the answer to its own prompt.
  expect.soft(jobs.filter((job) => !['succeeded', 'failed', 'cancelled'].includes(job.status))).toEqual([]);
  expect.soft(succeeded.length).toBeGreaterThanOrEqual(Math.ceil(JOBS * 0.999));
  expect
    .soft(
      jobs.flatMap((job, index) =>
        job.status === 'succeeded' && job.result?.content !== answerOf(index)
          ? [{ index, id: job.id, content: job.result?.content }]
          : [],
      ),
    )
    .toEqual([]);

  // 2. None with two results: one succeeded attempt per succeeded job (none per failed one),
  // from the provider its result names.
  expect
    .soft(
      jobs.flatMap((job) => {
        const wins = job.attempts.filter((attempt) => attempt.outcome === 'succeeded');
        const expected = job.status === 'succeeded' ? 1 : 0;
        return wins.length !== expected || (expected === 1 && wins[0]!.provider !== job.result?.provider)
          ? [{ id: job.id, status: job.status, wins }]
          : [];
      }),
    )
    .toEqual([]);

  // 3. Every webhook verified and about a job of this run; per job one terminal event (one
  // webhook-id, delivered once or again as a retry, always the same body) that agrees with the
  // job's final status and result.
  expect.soft(received.filter((delivery) => !delivery.verified)).toEqual([]);
  expect.soft(received.filter((delivery) => !indexOf.has(String(delivery.body?.data.id)))).toEqual([]);
  expect
    .soft(
      jobs.flatMap((job) => {
        const ofJob = deliveriesOf.get(job.id) ?? [];
        const types = new Set(ofJob.map((delivery) => delivery.type));
        const data = ofJob[0]?.body?.data as { status?: string; result?: unknown } | undefined;
        const problems = [
          ...(types.size === 1 && types.has(`job.${job.status}`) ? [] : [`events ${[...types]}`]),
          ...(new Set(ofJob.map((delivery) => delivery.webhookId)).size === 1 ? [] : ['several webhook ids']),
          ...(new Set(ofJob.map((delivery) => JSON.stringify(delivery.body))).size === 1
            ? []
            : ['several bodies']),
          ...(data?.status === job.status ? [] : [`webhook says ${data?.status}`]),
          ...(JSON.stringify(data?.result) === JSON.stringify(job.result) ? [] : ['another result']),
        ];
        return problems.length > 0 ? [{ id: job.id, status: job.status, problems }] : [];
      }),
    )
    .toEqual([]);

  // 4. The providers agree: each result was really answered, for that job, by the provider it
  // names; and every answer Switchyard recorded (a result, a 429, a 5xx, a malformed body) was
  // given by that provider to that job. (A timeout may never have reached the provider: on a
  // busy machine a call can time out before it is even sent.)
  expect
    .soft(
      succeeded.flatMap((job) => {
        const index = indexOf.get(job.id)!;
        const answers = callsOf(index, job.result!.provider).filter((entry) => entry.outcome === 'ok');
        return answers.length === 0 ? [{ index, id: job.id, provider: job.result!.provider }] : [];
      }),
    )
    .toEqual([]);
  const ANSWERED = new Set(['succeeded', 'rate_limited', 'server_error', 'bad_response']);
  expect
    .soft(
      jobs.flatMap((job, index) =>
        PROVIDERS.flatMap((provider) => {
          const recorded = job.attempts.filter(
            (attempt) => attempt.provider === provider && ANSWERED.has(attempt.outcome),
          );
          const logged = callsOf(index, provider).filter((entry) => entry.status > 0);
          return recorded.length > logged.length ? [{ index, provider, recorded, logged }] : [];
        }),
      ),
    )
    .toEqual([]);

  // 5. The chaos did happen: each injected failure, the outage, two SIGKILLs, and a Redis
  // restart that reloaded the AOF. How many of each depends on how the calls interleave
  // across workers and on the kill and restart times, so only their presence is checked.
  for (const kind of ['rateLimited', 'serverError', 'unavailable', 'timeout', 'malformed'])
    expect.soft(injected[kind], kind).toBeGreaterThan(0);
  expect.soft(outageCalls).toBeGreaterThan(0);
  expect.soft(chaos.kills.map((kill) => kill.exit)).toEqual(['SIGKILL', 'SIGKILL']);
  expect.soft(new Set(chaos.redisRestart?.pids).size).toBe(2);
  expect.soft(redis!.output()).toContain('DB loaded from append only file');
}, 240_000);
