/**
 * Switchyard benchmarks (issues #3 and #6). `pnpm bench` runs every benchmark in sequence;
 * `pnpm bench <name> [<name>...]` runs the named ones. Needs Redis (REDIS_URL, default
 * redis://127.0.0.1:6379). `pnpm bench quota-diagnosis` runs an extra, opt-in diagnosis;
 * `pnpm bench stream-transport` an opt-in comparison of HTTP clients for streamed calls.
 * Sizes: BENCH_QUOTA_JOBS, BENCH_QUOTA_TOKEN_JOBS, BENCH_QUOTA_SLOW_JOBS, BENCH_REROUTE_JOBS, BENCH_THROUGHPUT_JOBS,
 * BENCH_LATENCY_REQUESTS, BENCH_MEMORY_JOBS, BENCH_SCENARIO_COMPRESSION, BENCH_SCENARIO_VOLUME,
 * BENCH_QUOTA_DIAGNOSIS_JOBS, BENCH_STREAM_CALLS, BENCH_FAIR_BACKLOG, BENCH_FAIR_WEIGHTED_JOBS.
 * BENCH_THROUGHPUT_CPU_PROF=<folder>: a CPU profile of the throughput's HTTP-intake Switchyard process.
 * See docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { addedLatency } from './added-latency.ts';
import { fairShare } from './fair-share.ts';
import { memory } from './memory.ts';
import { quotaDiagnosis } from './quota-diagnosis.ts';
import { quotaFidelity } from './quota-fidelity.ts';
import { redisCommands } from './redis-commands.ts';
import { rerouteLatency } from './reroute-latency.ts';
import { freeTierScenario } from './scenario/index.ts';
import { calendarKeyPoolScenario } from './scenario/variants/calendar-key-pool.ts';
import { freeTierRefusingHour } from './scenario/variants/refusing-hour.ts';
import { streamTransport } from './stream-transport.ts';
import { formatTable, type Table } from './support/format-table.ts';
import { throughput } from './throughput.ts';

const numberFromEnv = (name: string): number | undefined => {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
};

/** Run by `pnpm bench` with no names, in this order. */
const BENCHMARKS: Record<string, () => Promise<Table[]>> = {
  'quota-fidelity': () =>
    quotaFidelity({
      requestBoundJobs: numberFromEnv('BENCH_QUOTA_JOBS'),
      tokenBoundJobs: numberFromEnv('BENCH_QUOTA_TOKEN_JOBS'),
      slowAnswerJobs: numberFromEnv('BENCH_QUOTA_SLOW_JOBS'),
    }),
  'reroute-latency': () => rerouteLatency({ jobs: numberFromEnv('BENCH_REROUTE_JOBS') }),
  throughput: () =>
    throughput({
      jobs: numberFromEnv('BENCH_THROUGHPUT_JOBS'),
      cpuProfileDir: process.env.BENCH_THROUGHPUT_CPU_PROF || undefined,
    }),
  'added-latency': () => addedLatency({ requests: numberFromEnv('BENCH_LATENCY_REQUESTS') }),
  memory: () => memory({ jobs: numberFromEnv('BENCH_MEMORY_JOBS') }),
  'fair-share': () =>
    fairShare({
      backlog: numberFromEnv('BENCH_FAIR_BACKLOG'),
      weightedJobs: numberFromEnv('BENCH_FAIR_WEIGHTED_JOBS'),
    }),
  'free-tier-scenario': () =>
    freeTierScenario({
      compression: numberFromEnv('BENCH_SCENARIO_COMPRESSION'),
      volume: numberFromEnv('BENCH_SCENARIO_VOLUME'),
    }),
};

/** Run only when named: diagnoses rather than figures to track, and the scenario's variants. */
const EXTRA: Record<string, () => Promise<Table[]>> = {
  'free-tier-refusing-hour': () =>
    freeTierRefusingHour({
      compression: numberFromEnv('BENCH_SCENARIO_COMPRESSION'),
      volume: numberFromEnv('BENCH_SCENARIO_VOLUME'),
    }),
  'quota-diagnosis': () => quotaDiagnosis({ jobs: numberFromEnv('BENCH_QUOTA_DIAGNOSIS_JOBS') }),
  'stream-transport': () => streamTransport({ calls: numberFromEnv('BENCH_STREAM_CALLS') }),
  'free-tier-calendar-key-pool': () =>
    calendarKeyPoolScenario({
      compression: numberFromEnv('BENCH_SCENARIO_COMPRESSION'),
      volume: numberFromEnv('BENCH_SCENARIO_VOLUME'),
    }),
  'redis-commands': () => redisCommands({ jobs: numberFromEnv('BENCH_COMMANDS_JOBS') }),
};

/**
 * Run in a process of their own when `pnpm bench` runs more than one benchmark: memory reports
 * this process's RSS and heap, which earlier benchmarks in the same process would distort.
 */
const FRESH_PROCESS = new Set(['memory']);

/** Runs one benchmark as `bench/index.ts <name>` in a child process, its output passed through. */
async function runInChild(name: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), name], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_CHILD: '1' },
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`benchmark ${name} (child process) exited with ${code}`);
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((argument) => argument !== '--');
  const all = { ...BENCHMARKS, ...EXTRA };
  const unknown = requested.filter((name) => !(name in all));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark: ${unknown.join(', ')}. Known: ${Object.keys(all).join(', ')}`);
    process.exit(2);
  }
  const names = requested.length > 0 ? requested : Object.keys(BENCHMARKS);
  if (!process.env.BENCH_CHILD) {
    console.log(
      `# Switchyard benchmarks, ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}\n`,
    );
  }
  for (const name of names) {
    if (names.length > 1 && FRESH_PROCESS.has(name)) {
      await runInChild(name);
      continue;
    }
    const started = performance.now();
    const tables = await all[name]!();
    for (const table of tables) console.log(formatTable(table));
    console.log(`  (${name} took ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
