import { performance } from 'node:perf_hooks';
import { createBrokerFor } from '@switchyard/app/broker';
import { parseConfig } from '@switchyard/config';
import { startSimulator } from '@switchyard/provider-sim';
import { writeConfig } from '../test/support/switchyard-process.ts';
import { benchPrefix, deleteKeys } from './support/bench-prefix.ts';
import { formatNumber, type Table, verdict } from './support/format-table.ts';
import { quantile, sortNumbers } from './support/quantile.ts';
import { runPool } from './support/run-pool.ts';
import { addSimulatedProvider, benchConfig, MODEL, removeConfig } from './support/simulated-setup.ts';
import { startWorkerProcess, workerEntryNote } from './support/start-worker-process.ts';

const TARGET_P50_MS = 50;
/** Jobs and direct calls run first and thrown away: connections, scripts and JIT warm up. */
const WARM_UP = 10;
const PROMPT =
  'Switchyard spreads work over many providers. Free tiers go first. Paid providers take what the free ones cannot absorb in time.';

export interface RerouteLatencyOptions {
  /** Measured jobs (default 200). */
  jobs?: number;
  /** Jobs in flight at once (default 1: one after the other). */
  inFlight?: number;
}

/**
 * Re-route latency: a route [always-500 provider -> healthy provider] with no retry on the
 * first, so every job fails once and moves. Per job, the time from the failed attempt's end to
 * the next attempt's start, both stamped by the worker process. Baseline: one direct call
 * to the simulator, timed from this process, interleaved with the jobs.
 */
export async function rerouteLatency(options: RerouteLatencyOptions = {}): Promise<Table[]> {
  const jobs = options.jobs ?? 200;
  const inFlight = options.inFlight ?? 1;
  const prefix = benchPrefix();
  const simulator = await startSimulator({ providers: [] });
  const broken = addSimulatedProvider(simulator, { id: 'broken', failures: { serverError: 1 } });
  const healthy = addSimulatedProvider(simulator, { id: 'healthy' });
  const raw = benchConfig({
    prefix,
    providers: [broken, healthy],
    routes: { main: [`broken/${MODEL}`, `healthy/${MODEL}`] },
    retriesPerTarget: 0,
  });
  const path = writeConfig(raw);
  const worker = await startWorkerProcess(path);
  const broker = createBrokerFor(parseConfig(raw, {}));

  const directCall = async () => {
    const started = performance.now();
    const response = await fetch(`${healthy.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sim-key' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 64 }),
    });
    await response.text();
    return performance.now() - started;
  };

  try {
    const gaps: number[] = [];
    const direct: number[] = [];
    const unexpected: string[] = [];
    await runPool(WARM_UP + jobs, inFlight, async (index) => {
      const call = await directCall();
      const submitted = await broker.submit({
        tenant: 'bench',
        route: 'main',
        messages: [{ role: 'user', content: `Job ${index}. ${PROMPT}` }],
        maxTokens: 64,
      });
      const job = await broker.waitFor(submitted.id, 15_000);
      if (index < WARM_UP) return;
      const [failed, next] = job?.attempts ?? [];
      const shape = job?.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`).join(' ');
      if (job?.status !== 'succeeded' || shape !== 'broken:server_error healthy:succeeded') {
        unexpected.push(`${job?.id ?? submitted.id}: ${job?.status ?? 'missing'} [${shape ?? ''}]`);
        return;
      }
      direct.push(call);
      gaps.push(Date.parse(next!.started_at) - Date.parse(failed!.finished_at));
    });

    const sortedGaps = sortNumbers(gaps);
    const sortedDirect = sortNumbers(direct);
    const row = (label: string, q: number, target?: string, met?: boolean) => [
      label,
      formatNumber(quantile(sortedGaps, q), 0),
      formatNumber(quantile(sortedDirect, q), 1),
      formatNumber(quantile(sortedGaps, q) / quantile(sortedDirect, q), 1),
      target ?? '',
      met === undefined ? '' : verdict(met),
    ];
    const p50 = quantile(sortedGaps, 0.5);
    const notes = [
      `${gaps.length} jobs measured (${WARM_UP} warm-up jobs dropped), ${inFlight} in flight at a time; the workers in one child process, the simulator and the client in this process; ${workerEntryNote()}.`,
      'Re-route gap = next attempt started_at - failed attempt finished_at, both stamped by the worker, millisecond resolution (so 0-2 ms figures are +/- 1 ms).',
      'It covers: the failure decision, the job record transition, enqueueing on the next provider queue, a BullMQ worker picking the job up, reading the job and claiming it.',
      'Direct call = one POST /chat/completions from this process to the same simulator, timed with performance.now(), one before each job.',
    ];
    if (unexpected.length > 0) {
      notes.push(
        `${unexpected.length} jobs did not follow broken:server_error -> healthy:succeeded, e.g. ${unexpected.slice(0, 3).join('; ')}`,
      );
    }
    return [
      {
        title: 'reroute-latency: always-500 provider -> healthy provider, retriesPerTarget 0',
        columns: ['quantile', 're-route gap (ms)', 'direct call (ms)', 'gap ÷ call', 'target', 'Switchyard'],
        rows: [
          row('p50', 0.5, `< ${TARGET_P50_MS} ms`, p50 < TARGET_P50_MS),
          row('p90', 0.9),
          row('p99', 0.99),
          row('max', 1),
        ],
        notes,
      },
    ];
  } finally {
    await worker.stop();
    removeConfig(path);
    await broker.close();
    await simulator.close();
    await deleteKeys(prefix);
  }
}
