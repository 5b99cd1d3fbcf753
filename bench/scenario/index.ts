import { createServices } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import { createRandom, type SimLatency, startSimulator } from '@switchyard/provider-sim';
import { type SwitchyardProcess, writeConfig } from '../../test/support/switchyard-process.ts';
import { benchPrefix, deleteKeys, REDIS_URL } from '../support/bench-prefix.ts';
import { formatNumber, type Table } from '../support/format-table.ts';
import { removeConfig } from '../support/simulated-setup.ts';
import { startWorkerProcess, workerEntryNote } from '../support/start-worker-process.ts';
import {
  describeLimit,
  FAILING_PROVIDER,
  SCENARIO_MODEL,
  SCENARIO_PROVIDERS,
  type ScaleOptions,
  scaledLimits,
  toConfigLimit,
} from './free-tiers.ts';
import {
  type OptimumProvider,
  offlineOptimum,
  SCENARIO_SCHEDULING,
  SWITCHYARD_POLICY,
  SWITCHYARD_SAFETY_MS,
  simulateSchedule,
} from './offline-optimum.ts';
import { buildReport } from './report.ts';
import { runDay } from './run-day.ts';
import { DAY_MS, generateTraffic, HOUR_MS, PEAK_HOURS } from './traffic.ts';

export interface FreeTierScenarioOptions {
  /** Real time / wall time (default 360: a day lasts 4 minutes, an hour 10 s). */
  compression?: number;
  /** The scenario is this many times smaller than the modelled deployment (default 20). */
  volume?: number;
  /** Jobs a day in the modelled deployment (default 80,000; the scenario runs this / volume). */
  jobsPerDay?: number;
  /** Wall-clock deadlines (defaults 5 s and 60 s: 30 minutes and 6 hours of the modelled day). */
  interactiveDeadlineMs?: number;
  batchDeadlineMs?: number;
  /**
   * Real-time limit windows shorter than this are replaced by their equivalent over it before
   * scaling (default 30 minutes; see free-tiers.ts).
   */
  shortestWindowMs?: number;
  /** Share of interactive jobs (default 0.55). */
  interactiveShare?: number;
  seed?: number;
  /** Switchyard worker processes (default 1). */
  processes?: number;
  /**
   * A free tier that refuses every call (429, `Retry-After: 1`) between two hours of the
   * modelled day; the optimum has none of its capacity then (variants/refusing-hour.ts).
   */
  refusing?: { provider: string; fromHour: number; toHour: number };
  /** Names the variant in the table titles. */
  variant?: string;
}

/** Calls take ~1.5 s (p99 ~7 s) on real free tiers; compressed 360x that is 4 ms (p99 20 ms). */
const LATENCY: SimLatency = { kind: 'lognormal', medianMs: 4, p99Ms: 20 };
/** The latest start the optimum allows: the deadline minus the simulated latency's p99. */
const LATENCY_ALLOWANCE_MS = 20;
const ROUTE = 'day';

/**
 * The free-tier scenario (issue #6): a day of traffic with an afternoon peak, compressed into
 * minutes, over three free tiers (their documented limits, scaled) and one paid provider; one
 * free tier fails 12 % of its calls during the peak. Reports completion, the paid share of
 * requests against the offline optimum, cost against running everything on the paid provider,
 * 429s and deadline misses.
 */
export async function freeTierScenario(options: FreeTierScenarioOptions = {}): Promise<Table[]> {
  const compression = options.compression ?? 360;
  const volume = options.volume ?? 20;
  const jobsPerDay = options.jobsPerDay ?? 80_000;
  const deadlineMs = {
    interactive: options.interactiveDeadlineMs ?? 5_000,
    batch: options.batchDeadlineMs ?? 60_000,
  };
  const interactiveShare = options.interactiveShare ?? 0.55;
  const seed = options.seed ?? 1;
  const processes = options.processes ?? 1;
  const scale: ScaleOptions = {
    compression,
    volume,
    shortestWindowMs: options.shortestWindowMs ?? 1_800_000,
  };
  const dayMs = DAY_MS / compression;
  const peak = {
    fromMs: (PEAK_HOURS.from * HOUR_MS) / compression,
    toMs: (PEAK_HOURS.to * HOUR_MS) / compression,
  };

  const refusing = options.refusing && {
    provider: options.refusing.provider,
    fromMs: (options.refusing.fromHour * HOUR_MS) / compression,
    toMs: (options.refusing.toHour * HOUR_MS) / compression,
  };
  if (refusing?.provider === FAILING_PROVIDER.id)
    throw new Error(`${FAILING_PROVIDER.id} already fails in the peak: refuse with another tier`);
  const jobs = generateTraffic({
    jobs: jobsPerDay / volume,
    compression,
    deadlineMs,
    interactiveShare,
    seed,
  });
  const free = SCENARIO_PROVIDERS.filter((provider) => provider.tier === 'free');
  const paidProvider = SCENARIO_PROVIDERS.find((provider) => provider.tier === 'paid')!;
  const optimumProviders = (marginMs: number) => ({
    providers: free.map(
      (provider): OptimumProvider => ({
        id: provider.id,
        limits: scaledLimits(provider, scale),
        capped: scaledLimits(provider, scale).some((limit) => limit.windowMs >= dayMs),
        ...(provider.id === FAILING_PROVIDER.id ? { failing: { ...peak, fails: failureDraws() } } : {}),
        ...(provider.id === refusing?.provider
          ? { failing: { fromMs: refusing.fromMs, toMs: refusing.toMs, fails: () => true } }
          : {}),
      }),
    ),
    jobs: jobs.map((job) => ({
      arrivalMs: job.arrivalMs,
      latestStartMs: job.deadlineMs - LATENCY_ALLOWANCE_MS - marginMs,
      tokens: job.inputTokens + job.maxTokens,
      rank: job.priority === 'interactive' ? 0 : 1,
    })),
  });
  const exact = optimumProviders(0);
  const optimum = offlineOptimum(exact.jobs, exact.providers);
  const margined = optimumProviders(SWITCHYARD_SAFETY_MS);
  const optimumWithMargin = offlineOptimum(margined.jobs, margined.providers);
  // Switchyard's decisions with nothing lost in execution: its queue order, its margin, the
  // capped tiers reached only when a job leaves the first tier at its latest start.
  const switchyardPolicy = simulateSchedule(margined.jobs, margined.providers, SWITCHYARD_POLICY);

  const prefix = benchPrefix();
  const simulator = await startSimulator({ providers: [] });
  const entries = SCENARIO_PROVIDERS.map((provider) => {
    const limits = scaledLimits(provider, scale).map(toConfigLimit);
    simulator.addProvider({
      id: provider.id,
      format: provider.format,
      models: [{ name: SCENARIO_MODEL, contextWindow: 32_000 }],
      limits,
      latency: LATENCY,
      ...(provider.id === FAILING_PROVIDER.id ? { seed: FAILING_PROVIDER.seed } : {}),
    });
    return {
      id: provider.id,
      kind: provider.format,
      baseUrl: simulator.baseUrlFor(provider.id),
      apiKey: 'sim-key',
      tier: provider.tier,
      models: [
        {
          name: SCENARIO_MODEL,
          contextWindow: 32_000,
          price: { input: provider.pricePerMillion, output: provider.pricePerMillion },
        },
      ],
      limits,
      concurrency: provider.concurrency,
      timeout: '10s',
    };
  });
  const raw = {
    presets: 'off',
    providers: entries,
    routes: {
      // Strict: the capped tiers must see only the jobs mistral-free cannot start in time.
      // Spread over the one free price tier, a job mistral-free's window refuses would start on
      // a capped tier at once and spend its daily cap on work mistral-free could still do.
      [ROUTE]: {
        strategy: 'priority',
        strict: true,
        targets: entries.map((entry) => `${entry.id}/${SCENARIO_MODEL}`),
      },
    },
    redis: { url: REDIS_URL, prefix },
    scheduling: SCENARIO_SCHEDULING,
  };
  const path = writeConfig(raw);
  const workers: SwitchyardProcess[] = [];
  const services = createServices(parseConfig(raw, {}));
  try {
    workers.push(...(await Promise.all(Array.from({ length: processes }, () => startWorkerProcess(path)))));
    const run = await runDay({
      services,
      simulator,
      jobs,
      route: ROUTE,
      firstTarget: free[0]!.id,
      peak,
      ...(refusing ? { refusing } : {}),
      progress: (line) => process.stderr.write(`free-tier scenario: ${line}\n`),
    });
    const report = buildReport({
      jobs,
      run,
      optimum,
      optimumWithMargin,
      switchyardPolicy,
      compression,
      firstLimit: scaledLimits(free[0]!, scale)
        .filter((limit) => limit.unit === 'requests')
        .sort((a, b) => a.windowMs - b.windowMs)[0]!,
      freeProviders: free.map((provider) => provider.id),
      paidProvider: paidProvider.id,
      firstTarget: free[0]!.id,
    });
    const interactive = jobs.filter((job) => job.priority === 'interactive').length;
    report.summary.notes = [
      ...report.notes,
      `Time: compressed ${compression}x, a day in ${formatNumber(dayMs / 1000)} s, an hour in ${formatNumber(HOUR_MS / compression / 1000, 1)} s; the peak (${PEAK_HOURS.from}:00-${PEAK_HOURS.to}:00) runs from ${formatNumber(peak.fromMs / 1000, 1)} s to ${formatNumber(peak.toMs / 1000, 1)} s. Volume: ${formatNumber(jobsPerDay)} jobs a day modelled, run ${volume}x smaller: ${jobs.length} jobs (${interactive} interactive, ${jobs.length - interactive} batch; seed ${seed}), mean ${formatNumber(jobs.length / (dayMs / 1000), 1)}/s, peak hour ${formatNumber(Math.max(...hourCounts(jobs, compression)) / (HOUR_MS / compression / 1000), 1)}/s.`,
      `Deadlines (wall clock, from arrival): interactive ${formatNumber(deadlineMs.interactive)} ms, batch ${formatNumber(deadlineMs.batch)} ms (${formatNumber((deadlineMs.interactive * compression) / 60_000)} minutes and ${formatNumber((deadlineMs.batch * compression) / HOUR_MS, 1)} hours of the modelled day). Interactive deadlines are compressed less than the limits: compressed like them a 5-minute deadline would be ${formatNumber(300_000 / compression / 1000, 1)} s, under Switchyard's default 1 s margin before a job's latest start (scheduling.deadlineMargin; the scenario sets ${SWITCHYARD_SAFETY_MS} ms, see offline-optimum.ts), and every interactive job would skip the free tiers. Batch jobs may wait out the peak; interactive ones cannot, which is what makes paid traffic necessary.`,
      ...free.map(
        (provider) =>
          `${provider.id}: ${provider.basis} -> ${scaledLimits(provider, scale).map(describeLimit).join(', ')}${provider.id === FAILING_PROVIDER.id ? `; answers ${FAILING_PROVIDER.share * 100} % of its calls with 503 during the peak (simulator failures patched at run time)` : ''}.`,
      ),
      `Scaling: limits shorter than ${formatNumber(scale.shortestWindowMs / 60_000)} minutes are replaced by their equivalent over ${formatNumber(scale.shortestWindowMs / 60_000)} minutes (compressed ${compression}x a minute would last ${formatNumber(60_000 / compression)} ms and a second ${formatNumber(1_000 / compression, 1)} ms, shorter than what counting a call costs), counts divided by ${volume} and rounded down, windows divided by ${compression}. Route ${ROUTE}: ${entries.map((entry) => entry.id).join(' -> ')} (priority, strict), the same limits in the simulator and in Switchyard's configuration, so a 429 means mis-accounting. Token sizes: interactive median 300 input tokens, max_tokens 256; batch median 1,200, max_tokens 400; the paid provider costs $${paidProvider.pricePerMillion} per million tokens, input and output.`,
      `Offline optimum: the fewest jobs any schedule must send to the paid provider knowing all arrivals, with a job startable on a free tier until its deadline - ${LATENCY_ALLOWANCE_MS} ms and failed calls consuming free capacity: the failing tier's calls in the peak fail as the simulator draws them (seed ${FAILING_PROVIDER.seed}, probability ${FAILING_PROVIDER.share}), in call order. Bracketed: lower bound ${optimum.lowerBound} from a max-flow relaxation (fixed windows, daily caps, no token limits), upper bound ${optimum.upperBound} from a simulated schedule with exact sliding windows (${optimum.schedule.policy}); see bench/scenario/offline-optimum.ts. The row "optimum with Switchyard's margin" is the same with the margin taken off every latest start, i.e. what the margin alone costs.`,
      `"Switchyard's policy executed without loss" simulates Switchyard's own decisions in the same model: each queue serves interactive jobs before batch ones, first come first served within a class, a job promoted ahead of both 2 s before its latest start; a job leaves a tier ${SWITCHYARD_SAFETY_MS} ms before its latest start; the capped tiers (${free
        .filter((provider) => provider.id !== free[0]!.id)
        .map((provider) => provider.id)
        .join(
          ', ',
        )}) only see jobs leaving ${free[0]!.id} at their latest start; no call is wasted and ${free[0]!.id} runs at 100 % of its limit. The gap to the optimum splits into policy (that row - optimum) and execution (measured - that row).`,
      `Switchyard: ${processes} worker process(es) (${workerEntryNote()}); jobs submitted at their arrival times from this process through the API role's services (createServices: the same broker, health checks and budgets as the API), which also hosts the simulator (latency lognormal, median ${LATENCY.kind === 'lognormal' ? LATENCY.medianMs : 0} ms). Each job's own start estimate for ${free[0]!.id} is read just before it is submitted.`,
    ];
    if (refusing) {
      report.summary.notes.push(
        `Variant ${options.variant ?? 'refusing hour'}: ${refusing.provider} refuses every call (429, Retry-After: 1 s) from ${options.refusing!.fromHour}:00 to ${options.refusing!.toHour}:00 (${formatNumber(refusing.fromMs / 1000, 1)}-${formatNumber(refusing.toMs / 1000, 1)} s), ${formatNumber(run.refusals)} refusals; the offline optimum has none of its capacity then (its calls there all fail).`,
      );
    }
    if (options.variant) {
      for (const table of [report.summary, report.paths, report.byHour])
        table.title = table.title.replace('free-tier scenario', `free-tier scenario (${options.variant})`);
    }
    return [report.summary, report.paths, report.byHour];
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await services.close();
    removeConfig(path);
    await simulator.close();
    await deleteKeys(prefix);
  }
}

/**
 * The failing provider's failures as the simulator draws them: one mulberry32 draw per call from
 * its seed (no draw is taken while no failures are configured), the call failing under `share`.
 */
function failureDraws(): (call: number) => boolean {
  const random = createRandom(FAILING_PROVIDER.seed);
  const fails: boolean[] = [false];
  return (call) => {
    while (fails.length <= call) fails.push(random() < FAILING_PROVIDER.share);
    return fails[call]!;
  };
}

function hourCounts(jobs: readonly { arrivalMs: number }[], compression: number): number[] {
  const counts = new Array(24).fill(0);
  for (const job of jobs) counts[Math.min(23, Math.floor((job.arrivalMs * compression) / HOUR_MS))] += 1;
  return counts;
}
