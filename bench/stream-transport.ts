import { performance } from 'node:perf_hooks';
import { createOpenAICompatibleAdapter } from '@switchyard/providers';
import type { GenerateRequest, ProviderAdapter } from '@switchyard/spec';
import { formatNumber, type Table } from './support/format-table.ts';
import { quantile, sortNumbers } from './support/quantile.ts';
import { runPool } from './support/run-pool.ts';
import { MODEL, simulatedProviderConfig } from './support/simulated-setup.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';

/** Calls per side run first and thrown away: connections and JIT warm up. */
const WARM_UP = 200;
/** Sequential calls alternate between the sides in blocks of this many. */
const BLOCK = 100;
/** Calls in flight in the concurrent measurement. */
const CONCURRENCY = 32;
/** The concurrent measurement alternates the sides this many times. */
const CONCURRENT_ROUNDS = 2;
/** About 300 characters of answer: a dozen deltas, one SSE event each. */
const REQUEST: GenerateRequest = {
  model: MODEL,
  messages: [
    { role: 'user', content: 'Summarize in one sentence: the river rose after three days of rain.' },
  ],
  maxTokens: 80,
};

export interface StreamTransportOptions {
  /** Sequential calls per side, after the warm-up (default 2,000). */
  calls?: number;
  /** Calls per side at 32 in flight (default 4,000). */
  concurrentCalls?: number;
}

interface Side {
  name: string;
  call: () => Promise<void>;
  durationsMs: number[];
  /** This process's CPU (user + system) over the side's calls, in microseconds. */
  cpuMicros: number;
  concurrent: { calls: number; elapsedMs: number; cpuMicros: number };
}

/**
 * One streamed Chat Completions call, read to its end, over `node:http` (the adapter's default,
 * the same keep-alive agents as non-streamed calls) and over `fetch` (the adapter given the
 * global `fetch`): the same adapter code and SSE parser, only the HTTP client differs. The
 * simulator runs in a process of its own, so the CPU figures are the client's alone. A
 * non-streamed call over `node:http` is timed beside them for scale.
 */
export async function streamTransport(options: StreamTransportOptions = {}): Promise<Table[]> {
  const calls = options.calls ?? 2_000;
  const concurrentCalls = options.concurrentCalls ?? 4_000;
  const simulator = await startSimulatorProcess([simulatedProviderConfig({ id: 'stream' })]);
  try {
    const baseUrl = simulator.baseUrls.get('stream')!;
    const adapter = (fetch?: typeof globalThis.fetch): ProviderAdapter =>
      createOpenAICompatibleAdapter({ id: 'stream', baseUrl, timeoutMs: 10_000, fetch });
    const readStream = (streaming: ProviderAdapter) => async () => {
      let done = false;
      for await (const event of streaming.stream!(REQUEST)) done ||= event.type === 'done';
      if (!done) throw new Error('a stream ended without its result');
    };
    const overHttp = adapter();
    const overFetch = adapter(globalThis.fetch);
    const side = (name: string, call: () => Promise<void>): Side => ({
      name,
      call,
      durationsMs: [],
      cpuMicros: 0,
      concurrent: { calls: 0, elapsedMs: 0, cpuMicros: 0 },
    });
    const sides = [
      side('stream over node:http', readStream(overHttp)),
      side('stream over fetch', readStream(overFetch)),
      side('non-streamed over node:http (scale)', async () => void (await overHttp.generate(REQUEST))),
    ];

    for (const { call } of sides) for (let index = 0; index < WARM_UP; index++) await call();
    for (let done = 0; done < calls; done += BLOCK) {
      const block = Math.min(BLOCK, calls - done);
      for (const current of sides) {
        const cpu = process.cpuUsage();
        for (let index = 0; index < block; index++) {
          const started = performance.now();
          await current.call();
          current.durationsMs.push(performance.now() - started);
        }
        const used = process.cpuUsage(cpu);
        current.cpuMicros += used.user + used.system;
      }
    }
    const perRound = Math.ceil(concurrentCalls / CONCURRENT_ROUNDS);
    for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
      // Alternate which side goes first, so neither always runs on a warmer (or busier) machine.
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const current of order) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        await runPool(perRound, CONCURRENCY, () => current.call());
        current.concurrent.elapsedMs += performance.now() - started;
        const used = process.cpuUsage(cpu);
        current.concurrent.cpuMicros += used.user + used.system;
        current.concurrent.calls += perRound;
      }
    }

    return [
      {
        title: 'stream-transport: one streamed call over node:http vs fetch (same run)',
        columns: [
          'client',
          'p50 ms',
          'p95 ms',
          'mean ms',
          'CPU µs/call',
          `calls/s at ${CONCURRENCY}`,
          `CPU µs/call at ${CONCURRENCY}`,
        ],
        rows: sides.map((current) => {
          const sorted = sortNumbers(current.durationsMs);
          const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
          const { concurrent } = current;
          return [
            current.name,
            formatNumber(quantile(sorted, 0.5), 3),
            formatNumber(quantile(sorted, 0.95), 3),
            formatNumber(mean, 3),
            formatNumber(current.cpuMicros / sorted.length),
            formatNumber((concurrent.calls / concurrent.elapsedMs) * 1000),
            formatNumber(concurrent.cpuMicros / concurrent.calls),
          ];
        }),
        notes: [
          `${formatNumber(calls)} sequential calls per client after ${WARM_UP} warm-up calls, alternating in blocks of ${BLOCK}; then ${formatNumber(concurrentCalls)} per client at ${CONCURRENCY} in flight, in ${CONCURRENT_ROUNDS} alternating rounds.`,
          'A call is the adapter’s whole work: POST, read every SSE event (eventsource-parser), rebuild and check the completion. The simulator (OpenAI format, no added latency) runs in its own process; CPU is this process’s user + system time.',
        ],
      },
    ];
  } finally {
    await simulator.stop();
  }
}
