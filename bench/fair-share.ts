import { performance } from 'node:perf_hooks';
import { createBrokerFor } from '@switchyard/app/broker';
import type { Broker } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { startSimulator } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import { benchPrefix, deleteKeys, REDIS_URL } from './support/bench-prefix.ts';
import { formatNumber, type Table, verdict } from './support/format-table.ts';
import { runPool } from './support/run-pool.ts';
import { addSimulatedProvider, benchConfig, MODEL } from './support/simulated-setup.ts';

const CONCURRENCY = 4;
const LATENCY_MS = 20;
/** Brokers running workers on the queue, each with connections of its own, as processes have. */
const WORKER_BROKERS = 2;
/** Submissions in flight at once from this process. */
const SUBMIT_IN_FLIGHT = 20;
const PROMPT = 'The river rose overnight. Crews worked until dawn. Summarize.';

export interface FairShareOptions {
  /** The big tenant's backlog (default 500). */
  backlog?: number;
  /** The small tenant's jobs, submitted behind the backlog (default 5). */
  jobs?: number;
  /** Jobs of each weighted tenant (default 300). */
  weightedJobs?: number;
}

/** Terminal jobs in the order the broker announced them, with the time. */
async function watchCompletions(channel: string) {
  const subscriber = new Redis(REDIS_URL);
  const done: { id: string; at: number }[] = [];
  subscriber.on('message', (_channel: string, message: string) => {
    const [id, status] = message.split(' ');
    if (id && (status === 'succeeded' || status === 'failed')) done.push({ id, at: performance.now() });
  });
  await subscriber.subscribe(channel);
  return { done, close: () => subscriber.quit() };
}

async function submitAll(broker: Broker, tenant: string, count: number, label: string): Promise<string[]> {
  return runPool(count, SUBMIT_IN_FLIGHT, async (index) => {
    const job = await broker.submit({
      tenant,
      route: 'main',
      priority: 'batch',
      messages: [{ role: 'user', content: `${label} ${index}. ${PROMPT}` }],
      maxTokens: 32,
    });
    return job.id;
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('fair-share: jobs did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Fair sharing (issue #13): one provider (concurrency 4, 20 ms per call) served by two brokers'
 * workers; tenant `big` submits a backlog of batch jobs, then `small` submits 5. Measured: the
 * 5's positions among all completions and the time from their submission to their last answer.
 * Baselines from the same run: the same 5 alone on an empty queue, and the same 5 submitted by
 * `big` itself (one tenant is first come, first served: the order without fair sharing).
 * Then tenants of weight 2 and 1 with equal backlogs: their shares while both have work.
 */
export async function fairShare(options: FairShareOptions = {}): Promise<Table[]> {
  const backlog = options.backlog ?? 500;
  const jobs = options.jobs ?? 5;
  const weightedJobs = options.weightedJobs ?? 300;
  const prefix = benchPrefix();
  const simulator = await startSimulator({ providers: [] });
  const shared = addSimulatedProvider(simulator, {
    id: 'shared',
    concurrency: CONCURRENCY,
    latency: { kind: 'fixed', ms: LATENCY_MS },
  });
  const raw = {
    ...benchConfig({ prefix, providers: [shared], routes: { main: [`shared/${MODEL}`] } }),
    tenants: { heavy: { weight: 2 } },
  };
  const config = parseConfig(raw, {});
  const workers = Array.from({ length: WORKER_BROKERS }, () => createBrokerFor(config));
  await Promise.all(workers.map((worker) => worker.startWorkers()));
  const broker = createBrokerFor(config);
  const completions = await watchCompletions(broker.keys.jobEvents);

  /** Runs one case: `small`'s jobs from `smallTenant`, after `backlog` of `big` (if any). */
  const runCase = async (label: string, smallTenant: string, withBacklog: boolean) => {
    completions.done.length = 0;
    const started = performance.now();
    const big = withBacklog ? await submitAll(broker, 'big', backlog, `${label} big`) : [];
    const submittedAt = performance.now();
    const small = await submitAll(broker, smallTenant, jobs, `${label} small`);
    const total = big.length + small.length;
    await until(() => completions.done.length >= total, 300_000);
    const position = new Map(completions.done.map((done, index) => [done.id, { index: index + 1, ...done }]));
    // Counted from the 5's submission: the jobs that finished before it were never ahead of them.
    const before = completions.done.filter((done) => done.at < submittedAt).length;
    const positions = small.map((id) => position.get(id)!.index - before).sort((a, b) => a - b);
    const lastAt = Math.max(...small.map((id) => position.get(id)!.at));
    const backlogDoneAt = Math.max(started, ...big.map((id) => position.get(id)!.at));
    return {
      positions,
      smallMs: lastAt - submittedAt,
      backlogMs: backlogDoneAt - started,
      // Jobs of the backlog still waiting or running when the 5 were submitted.
      aheadAtSubmission: big.filter((id) => position.get(id)!.at > submittedAt).length,
    };
  };

  try {
    await runCase('warm-up', 'small', false);
    const alone = await runCase('alone', 'small', false);
    const fifo = await runCase('fifo', 'big', true);
    const fair = await runCase('fair', 'small', true);

    // Weights 2 and 1, equal backlogs submitted interleaved: shares until one runs out.
    completions.done.length = 0;
    const [heavy, light] = await Promise.all([
      submitAll(broker, 'heavy', weightedJobs, 'heavy'),
      submitAll(broker, 'light', weightedJobs, 'light'),
    ]);
    await until(() => completions.done.length >= 2 * weightedJobs, 300_000);
    const heavyIds = new Set(heavy);
    const lightIds = new Set(light);
    const lastHeavy = Math.max(
      ...completions.done.map((done, index) => (heavyIds.has(done.id) ? index : -1)),
    );
    // While both have work: up to the heavy tenant's last completion (it finishes first).
    const both = completions.done.slice(0, lastHeavy + 1);
    const heavyShare = both.filter((done) => heavyIds.has(done.id)).length;
    const lightShare = both.filter((done) => lightIds.has(done.id)).length;
    const ratio = heavyShare / lightShare;

    const caseRow = (name: string, run: typeof fair, target = '', met?: boolean) => [
      name,
      `${run.positions[0]}-${run.positions.at(-1)}`,
      formatNumber(run.aheadAtSubmission),
      formatNumber(run.smallMs),
      formatNumber(run.smallMs / alone.smallMs, 1),
      run === alone ? '' : formatNumber(run.backlogMs),
      target,
      met === undefined ? '' : verdict(met),
    ];
    const fairMet = fair.smallMs <= 3 * alone.smallMs && (fair.positions.at(-1) ?? Infinity) <= 20;
    return [
      {
        title: `fair-share: ${jobs} jobs of one tenant behind ${backlog} of another, one provider (concurrency ${CONCURRENCY}, ${LATENCY_MS} ms a call)`,
        columns: [
          `the ${jobs} jobs`,
          'positions after submission',
          'backlog left when submitted',
          'submitted to last answer (ms)',
          '÷ alone',
          `${backlog} backlog done in (ms)`,
          'target',
          'Switchyard',
        ],
        rows: [
          caseRow('alone on an empty queue (baseline)', alone),
          caseRow(`submitted by the backlog's tenant (FIFO, baseline)`, fifo),
          caseRow('submitted by another tenant (fair sharing)', fair, '~ time of 5 jobs', fairMet),
        ],
        notes: [
          `Batch jobs; the backlog is submitted ${SUBMIT_IN_FLIGHT} at a time through broker.submit while the workers run, then the ${jobs}. Positions are among the completions from the ${jobs}' submission on, in the order the broker announced them.`,
          `${WORKER_BROKERS} brokers with workers share the queue, each with Redis connections of its own, in this process with the submitting broker and the simulator (in-process, so a loaded machine cannot delay a worker process's start-up past the harness's limit).`,
          'One tenant is served first come, first served, so the FIFO row is the order every job had before fair sharing.',
        ],
      },
      {
        title: `fair-share: tenants of weight 2 and 1, ${weightedJobs} jobs each, submitted together`,
        columns: ['measure', 'weight 2', 'weight 1', 'ratio', 'configured', 'Switchyard'],
        rows: [
          [
            'jobs done while both had work',
            formatNumber(heavyShare),
            formatNumber(lightShare),
            formatNumber(ratio, 2),
            '2.00',
            verdict(ratio > 1.8 && ratio < 2.2),
          ],
        ],
        notes: [
          "While both have work = up to the weight-2 tenant's last completion. Verdict: ratio within 10 % of 2.",
        ],
      },
    ];
  } finally {
    await completions.close();
    await Promise.all(workers.map((worker) => worker.close()));
    await broker.close();
    await simulator.close();
    await deleteKeys(prefix);
  }
}
