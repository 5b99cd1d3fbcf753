import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createBrokerFor } from '@switchyard/app/broker';
import type { Broker } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort } from '../test/support/free-port.ts';
import { formatNumber, type Table } from './support/format-table.ts';
import { watchJobEvents } from './support/job-events.ts';
import { runPool } from './support/run-pool.ts';
import { addSimulatedProvider, benchConfig, MODEL } from './support/simulated-setup.ts';

const PROMPT = 'Summarize this. Switchyard spreads work over many providers. Free tiers go first.';
const CONCURRENCY = 50;

export interface RedisCommandsOptions {
  /** Jobs per side (default 1,000). */
  jobs?: number;
}

interface Count {
  label: string;
  /** Commands a client sent (EVALSHA counts once), per job. */
  sent: number;
  /** Every command Redis ran, those inside scripts included, per job. */
  executed: number;
  /** The most frequent commands, per job. */
  top: [string, number][];
}

/** Commands listed per run in the second table. */
const TOP = 12;

/**
 * Redis commands per job, counted with `MONITOR` on a private `redis-server` (no other client,
 * so every command is the run's): raw BullMQ (add per job, a no-op Worker), Switchyard's
 * queue path (`broker.submit` -> provider worker -> zero-latency simulator -> result stored) and
 * its synchronous fast path (`broker.submit` with `sync`, then `waitFor`, as the HTTP API does).
 * "Sent" counts what clients sent (a script call once: the round trips' contents); "executed"
 * adds the commands scripts ran inside Redis.
 */
export async function redisCommands(options: RedisCommandsOptions = {}): Promise<Table[]> {
  const jobs = options.jobs ?? 1_000;
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 50, 500),
  });
  // Refused until the server listens; ioredis retries meanwhile.
  admin.on('error', () => {});
  const simulator = await startSimulator({ providers: [] });
  try {
    await admin.ping();
    const counts = [
      await count(admin, 'raw BullMQ (Queue.add per job + a no-op Worker)', jobs, () => rawBullmq(url, jobs)),
      await count(admin, 'Switchyard, queue path (broker.submit + provider worker)', jobs, () =>
        switchyard(url, simulator, jobs, false),
      ),
      await count(admin, 'Switchyard, synchronous fast path (submit with sync + waitFor)', jobs, () =>
        switchyard(url, simulator, jobs, true),
      ),
    ];
    const raw = counts[0]!;
    return [
      {
        title: `redis-commands: Redis commands per job, ${formatNumber(jobs)} jobs per side, private redis-server`,
        columns: ['run', 'sent per job', '÷ raw BullMQ', 'executed per job (scripts inside)', '÷ raw BullMQ'],
        rows: counts.map((entry) => [
          entry.label,
          formatNumber(entry.sent, 1),
          formatNumber(entry.sent / raw.sent, 2),
          formatNumber(entry.executed, 1),
          formatNumber(entry.executed / raw.executed, 2),
        ]),
        notes: [
          'Counted with MONITOR on a redis-server of its own (no persistence, no other client), ÷ jobs. Every run includes its own setup (connections, script loading, worker start and stop).',
          '"Sent" = commands clients sent (a script call counts once: what travels in round trips); "executed" = every command Redis ran, those scripts called inside included.',
          `Concurrency ${CONCURRENCY}, one provider without limits (the quota's scripts run only when it has limits), zero-latency simulator in this process.`,
        ],
      },
      {
        title: `redis-commands: the ${TOP} most frequent commands of each run, per job`,
        columns: counts.map((entry) => entry.label),
        rows: Array.from({ length: TOP }, (_, index) =>
          counts.map((entry) => {
            const row = entry.top[index];
            return row ? `${row[0]} ${formatNumber(row[1], 2)}` : '';
          }),
        ),
        notes: ['"in a script:" marks commands a Lua script ran inside Redis (BullMQ\'s or Switchyard\'s).'],
      },
    ];
  } finally {
    await simulator.close();
    await admin.quit().catch(() => undefined);
    await stop(server);
  }
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  server.kill('SIGTERM');
  await once(server, 'exit');
}

async function count(admin: Redis, label: string, jobs: number, run: () => Promise<void>): Promise<Count> {
  await admin.flushall();
  // MONITOR reports every command, and names those a script ran ("lua" as their source).
  const monitor = await admin.monitor();
  let sent = 0;
  let executed = 0;
  const byName = new Map<string, number>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    executed += 1;
    if (source !== 'lua') sent += 1;
    const name = `${source === 'lua' ? 'in a script: ' : ''}${String(args[0]).toLowerCase()}`;
    byName.set(name, (byName.get(name) ?? 0) + 1);
  });
  await run();
  monitor.disconnect();
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  return {
    label,
    sent: sent / jobs,
    executed: executed / jobs,
    top: top.map(([name, calls]) => [name, calls / jobs]),
  };
}

async function rawBullmq(url: string, jobs: number): Promise<void> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, prefix: '{raw}' });
  let done = 0;
  let finished: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const worker = new Worker('raw', async () => {}, {
    connection,
    prefix: '{raw}',
    concurrency: CONCURRENCY,
  });
  worker.on('completed', () => {
    done += 1;
    if (done === jobs) finished();
  });
  await worker.waitUntilReady();
  await runPool(jobs, 100, async (index) => {
    await queue.add('job', { index, prompt: PROMPT }, { removeOnComplete: true });
  });
  await allDone;
  await worker.close();
  await queue.close();
  await connection.quit();
}

async function switchyard(url: string, simulator: Simulator, jobs: number, sync: boolean): Promise<void> {
  const provider = addSimulatedProvider(simulator, {
    id: `p-${sync ? 'sync' : 'queue'}`,
    concurrency: CONCURRENCY,
  });
  const raw = benchConfig({
    prefix: 'bench',
    providers: [provider],
    routes: { main: [`${provider.id}/${MODEL}`] },
  });
  const broker: Broker = createBrokerFor(parseConfig({ ...raw, redis: { url, prefix: 'bench' } }, {}));
  await broker.startWorkers();
  try {
    const submit = () =>
      broker.submit({
        tenant: 'bench',
        route: 'main',
        messages: [{ role: 'user', content: PROMPT }],
        maxTokens: 64,
        ...(sync ? { sync: true } : {}),
      });
    if (sync) {
      // As the HTTP API does: submit, then wait for the answer on the same request.
      await runPool(jobs, CONCURRENCY, async () => {
        const job = await submit();
        const done = await broker.waitFor(job.id, 60_000);
        if (done?.status !== 'succeeded') throw new Error(`job ${job.id} ended ${done?.status}`);
      });
      return;
    }
    // The queue path as raw BullMQ runs: submit everything, count completions on the event channel.
    const events = await watchJobEvents(broker.keys.jobEvents, url);
    try {
      await runPool(jobs, 100, async () => {
        await submit();
      });
      await events.untilTerminal(jobs, 120_000);
    } finally {
      await events.close();
    }
  } finally {
    await broker.close();
  }
}
