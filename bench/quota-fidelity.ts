import { createBrokerFor } from '@switchyard/app/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import { type SwitchyardProcess, writeConfig } from '../test/support/switchyard-process.ts';
import { benchPrefix, deleteKeys, REDIS_URL } from './support/bench-prefix.ts';
import { formatNumber, type Table, verdict } from './support/format-table.ts';
import { watchJobEvents } from './support/job-events.ts';
import { measureWindowRate, type WindowRate } from './support/measure-window-rate.ts';
import { runExactClient } from './support/run-exact-client.ts';
import { runPool } from './support/run-pool.ts';
import { describeQueueBetween, sampleQueueState } from './support/sample-queue-state.ts';
import { addSimulatedProvider, benchConfig, MODEL, removeConfig } from './support/simulated-setup.ts';
import { startWorkerProcess, workerEntryNote } from './support/start-worker-process.ts';

/** The limits, the same in the simulator and in the Switchyard configuration. */
export const LIMITS = { requests: 50, tokens: 20_000, windowMs: 2_000 };
const CONFIGURED_LIMITS = [
  { requests: LIMITS.requests, per: '2s' },
  { tokens: LIMITS.tokens, per: '2s' },
];
const MAX_TOKENS = 32;
/** Calls in flight at once: Switchyard's `concurrency` over all its workers, and the exact client's. */
const CONCURRENCY = 8;
const TARGET_RATIO = 0.98;

const TEXT =
  'Switchyard spreads work over many providers. Free tiers go first. Paid providers take what the free ones cannot absorb in time. Every job ends with its whole history. ';

export interface Scenario {
  name: string;
  /** Which limit should bind. */
  binds: 'requests' | 'tokens';
  jobs: number;
  /** Calls the binding limit admits per window. */
  callsPerWindow: number;
  prompt(index: number): string;
  /** The simulated provider answers after this long (default: at once). */
  latencyMs?: number;
}

export function requestBound(jobs: number): Scenario {
  // ~50 input tokens and <= 32 output: 50 calls use ~3,400 of the 20,000 tokens.
  return {
    name: 'requests bind',
    binds: 'requests',
    jobs,
    callsPerWindow: LIMITS.requests,
    prompt: (index) => `Document ${index}. ${TEXT}`,
  };
}

/**
 * Requests bind, and every answer takes 50 ms, as a near provider's would. A call counts from
 * its answer (the only safe moment for a client that cannot see the provider's clock), so the
 * exact client loses a little rate to latency too; the target is against it, not the limit.
 */
export function requestBoundSlowAnswers(jobs: number): Scenario {
  return { ...requestBound(jobs), name: 'requests bind, 50 ms answers', latencyMs: 50 };
}

const latencyOf = (scenario: Scenario) =>
  scenario.latencyMs === undefined ? {} : { latency: { kind: 'fixed' as const, ms: scenario.latencyMs } };

function tokenBound(jobs: number): Scenario {
  // 3,072 characters = 768 input tokens, + 32 output = 800: exactly 25 calls per 20,000 tokens.
  return {
    name: 'tokens bind',
    binds: 'tokens',
    jobs,
    callsPerWindow: LIMITS.tokens / 800,
    prompt: (index) => `Document ${index}. ${TEXT.repeat(20)}`.slice(0, 3_072),
  };
}

export interface SwitchyardRun {
  rate: WindowRate;
  succeeded: number;
  failed: number;
  /** Jobs not terminal when the wait gave up. */
  unfinished: number;
  elapsedMs: number;
  /** The provider queue as sampled in the middle of the longest pause between two calls. */
  duringLongestPause: string;
}

/**
 * One Switchyard run: a provider of its own (simulator and configuration), `processes` worker
 * processes of the real app (SWITCHYARD_ROLE=worker), the whole backlog submitted up front
 * from this process, then the simulator's log measured.
 */
export async function runSwitchyard(
  simulator: Simulator,
  prefix: string,
  options: { id: string; scenario: Scenario; processes: number; format?: 'openai' | 'gemini' },
): Promise<SwitchyardRun> {
  const { id, scenario } = options;
  const provider = addSimulatedProvider(simulator, {
    id,
    format: options.format,
    limits: CONFIGURED_LIMITS,
    concurrency: CONCURRENCY,
    ...latencyOf(scenario),
  });
  const raw = benchConfig({ prefix, providers: [provider], routes: { main: [`${id}/${MODEL}`] } });
  const path = writeConfig(raw);
  const workers: SwitchyardProcess[] = [];
  const broker = createBrokerFor(parseConfig(raw, {}));
  const events = await watchJobEvents(broker.keys.jobEvents);
  const probe = new Redis(REDIS_URL);
  let sampler: ReturnType<typeof sampleQueueState> | undefined;
  try {
    workers.push(
      ...(await Promise.all(Array.from({ length: options.processes }, () => startWorkerProcess(path)))),
    );
    sampler = sampleQueueState(probe, broker.queue(broker.keys.providerQueue(id)));
    const started = Date.now();
    await runPool(scenario.jobs, 50, (index) =>
      broker.submit({
        tenant: 'bench',
        route: 'main',
        messages: [{ role: 'user', content: scenario.prompt(index) }],
        maxTokens: MAX_TOKENS,
      }),
    );
    const idealMs = (scenario.jobs / scenario.callsPerWindow) * LIMITS.windowMs;
    await events.untilTerminal(scenario.jobs, idealMs * 4 + 30_000);
    const elapsedMs = Date.now() - started;
    const samples = await sampler.stop();
    const rate = measureWindowRate(simulator.stats(id).log, LIMITS);
    const counts = events.counts();
    const terminal = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
    return {
      rate,
      succeeded: counts.succeeded ?? 0,
      failed: counts.failed ?? 0,
      unfinished: scenario.jobs - terminal,
      elapsedMs,
      duringLongestPause: describeQueueBetween(
        samples,
        rate.longestGapFrom,
        rate.longestGapFrom + rate.longestGapMs,
      ),
    };
  } finally {
    await sampler?.stop();
    await Promise.all(workers.map((worker) => worker.stop()));
    removeConfig(path);
    await probe.quit();
    await events.close();
    await broker.close();
  }
}

export interface ExactRun {
  rate: WindowRate;
  succeeded: number;
  elapsedMs: number;
}

/** The baseline: the exact client against a simulated provider of its own with the same limits. */
export async function runExact(simulator: Simulator, id: string, scenario: Scenario): Promise<ExactRun> {
  addSimulatedProvider(simulator, { id, limits: CONFIGURED_LIMITS, ...latencyOf(scenario) });
  const started = Date.now();
  await runExactClient({
    baseUrl: simulator.baseUrlFor(id),
    model: MODEL,
    prompts: Array.from({ length: scenario.jobs }, (_, index) => scenario.prompt(index)),
    maxTokens: MAX_TOKENS,
    ...LIMITS,
    concurrency: CONCURRENCY,
  });
  return {
    rate: measureWindowRate(simulator.stats(id).log, LIMITS),
    succeeded: simulator.stats(id).succeeded,
    elapsedMs: Date.now() - started,
  };
}

export interface QuotaFidelityOptions {
  /** Jobs in the run where the request limit binds (default 600: 12 windows). */
  requestBoundJobs?: number;
  /** Jobs in the run where the token limit binds (default 250: 25 fit a window, so 10 windows). */
  tokenBoundJobs?: number;
  /** Jobs in the request-bound run with 50 ms answers (default 400: 8 windows). */
  slowAnswerJobs?: number;
  /** Worker processes sharing the quota (default 3). */
  processes?: number;
}

/**
 * Quota fidelity: how close Switchyard, with three worker processes sharing one quota in Redis,
 * gets to a provider's exact limits, against a client that knows the limits and works alone.
 */
export async function quotaFidelity(options: QuotaFidelityOptions = {}): Promise<Table[]> {
  const processes = options.processes ?? 3;
  const scenarios = [
    requestBound(options.requestBoundJobs ?? 600),
    tokenBound(options.tokenBoundJobs ?? 250),
    requestBoundSlowAnswers(options.slowAnswerJobs ?? 400),
  ];
  const prefix = benchPrefix();
  const simulator = await startSimulator({ providers: [] });
  try {
    const rows: string[][] = [];
    const notes: string[] = [];
    for (const scenario of scenarios) {
      const switchyard = await runSwitchyard(simulator, prefix, {
        id: `quota-${scenario.binds}${scenario.latencyMs ? `-${scenario.latencyMs}ms` : ''}`,
        scenario,
        processes,
      });
      const exact = await runExact(
        simulator,
        `exact-${scenario.binds}${scenario.latencyMs ? `-${scenario.latencyMs}ms` : ''}`,
        scenario,
      );
      rows.push(...scenarioRows(scenario, switchyard, exact));
      notes.push(
        `${scenario.name}: ${scenario.jobs} jobs of ${switchyard.rate.tokensPerRequest} tokens; steady interval = ${switchyard.rate.windows} (exact client: ${exact.rate.windows}) whole windows of ${switchyard.rate.perWindow} calls, after the first window (a stall after the last whole window shows only in the longest pause and the time to finish).`,
      );
      notes.push(
        `${scenario.name}: during Switchyard's longest pause (${formatNumber(switchyard.rate.longestGapMs)} ms) the provider queue held: ${switchyard.duringLongestPause}.`,
      );
      if (switchyard.failed > 0 || switchyard.unfinished > 0) {
        notes.push(
          `${scenario.name}: ${switchyard.failed} jobs failed, ${switchyard.unfinished} were not finished when the wait gave up.`,
        );
      }
    }
    notes.push(
      `Switchyard: ${processes} worker processes, provider concurrency ${CONCURRENCY}, the quota in Redis; the simulator and the submitting client run in this process; ${workerEntryNote()}.`,
      `Exact client: one process, no Redis, limits known exactly, the quota's accounting (reserve input + max_tokens, count each call at its answer time with the tokens used), concurrency ${CONCURRENCY}, the same prompts, against an identical simulated provider.`,
      'Rates come from the simulator log (arrival times; tokens = input + output of each answer).',
    );
    return [
      {
        title: `quota-fidelity: ${LIMITS.requests} requests and ${formatNumber(LIMITS.tokens)} tokens per 2 s, one provider, ${processes} worker processes`,
        columns: [
          'measure',
          'Switchyard',
          'exact client',
          'configured',
          'Switchyard ÷ configured',
          'exact ÷ configured',
          'target',
          'Switchyard',
        ],
        rows,
        notes,
      },
    ];
  } finally {
    await simulator.close();
    await deleteKeys(prefix);
  }
}

function scenarioRows(scenario: Scenario, switchyard: SwitchyardRun, exact: ExactRun): string[][] {
  const perSecond = (limit: number) => (limit * 1000) / LIMITS.windowMs;
  const rateRow = (unit: 'requests' | 'tokens') => {
    const configured = perSecond(unit === 'requests' ? LIMITS.requests : LIMITS.tokens);
    const pick = (rate: WindowRate) => (unit === 'requests' ? rate.requestsPerSecond : rate.tokensPerSecond);
    const measured = pick(switchyard.rate);
    const baseline = pick(exact.rate);
    const binding = unit === scenario.binds;
    const digits = unit === 'requests' ? 2 : 0;
    // With slow answers the best a safe client can do is the exact client's rate: the target is
    // against it (Switchyard ÷ exact), not against the configured limit.
    const slow = scenario.latencyMs !== undefined;
    const ratio = slow ? measured / baseline : measured / configured;
    return [
      `${scenario.name}: ${unit}/s (steady)`,
      formatNumber(measured, digits),
      formatNumber(baseline, digits),
      formatNumber(configured, digits),
      formatNumber(measured / configured, 3),
      formatNumber(baseline / configured, 3),
      binding
        ? slow
          ? `÷ exact: ${formatNumber(ratio, 3)} >= ${TARGET_RATIO}`
          : `>= ${TARGET_RATIO}`
        : 'not binding',
      binding ? verdict(ratio >= TARGET_RATIO) : '',
    ];
  };
  const busiest = (rate: WindowRate) => `${rate.busiestRequests} / ${formatNumber(rate.busiestTokens)}`;
  return [
    rateRow('requests'),
    rateRow('tokens'),
    [
      `${scenario.name}: 429s sent by the simulator`,
      String(switchyard.rate.refused),
      String(exact.rate.refused),
      '0',
      '',
      '',
      '0',
      verdict(switchyard.rate.refused === 0),
    ],
    [
      `${scenario.name}: busiest 2 s window (requests / tokens)`,
      busiest(switchyard.rate),
      busiest(exact.rate),
      `${LIMITS.requests} / ${formatNumber(LIMITS.tokens)}`,
      '',
      '',
      '<= limits',
      verdict(
        switchyard.rate.busiestRequests <= LIMITS.requests && switchyard.rate.busiestTokens <= LIMITS.tokens,
      ),
    ],
    [
      `${scenario.name}: longest pause between two calls (ms)`,
      formatNumber(switchyard.rate.longestGapMs),
      formatNumber(exact.rate.longestGapMs),
      '',
      '',
      '',
      '',
      '',
    ],
    [
      `${scenario.name}: whole backlog done in (s)`,
      formatNumber(switchyard.elapsedMs / 1000, 1),
      formatNumber(exact.elapsedMs / 1000, 1),
      '',
      '',
      '',
      '',
      '',
    ],
    [
      `${scenario.name}: jobs succeeded (exact: calls answered 200)`,
      `${switchyard.succeeded} / ${scenario.jobs}`,
      `${exact.succeeded} / ${scenario.jobs}`,
      '',
      '',
      '',
      'all',
      verdict(switchyard.succeeded === scenario.jobs),
    ],
  ];
}
