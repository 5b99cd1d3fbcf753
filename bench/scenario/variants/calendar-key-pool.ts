import { createServices } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import { createRandom, type SimLatency, type SimLimit, startSimulator } from '@switchyard/provider-sim';
import { type SwitchyardProcess, writeConfig } from '../../../test/support/switchyard-process.ts';
import { benchPrefix, deleteKeys, REDIS_URL } from '../../support/bench-prefix.ts';
import { formatNumber, type Table } from '../../support/format-table.ts';
import { removeConfig } from '../../support/simulated-setup.ts';
import { startWorkerProcess, workerEntryNote } from '../../support/start-worker-process.ts';
import {
  describeLimit,
  FAILING_PROVIDER,
  SCENARIO_MODEL,
  SCENARIO_PROVIDERS,
  type ScaledLimit,
  type ScaleOptions,
  type ScenarioProvider,
  scaledLimits,
} from '../free-tiers.ts';
import {
  type OptimumProvider,
  offlineOptimum,
  SCENARIO_SCHEDULING,
  SWITCHYARD_POLICY,
  SWITCHYARD_SAFETY_MS,
  simulateSchedule,
} from '../offline-optimum.ts';
import { buildReport } from '../report.ts';
import { runDay } from '../run-day.ts';
import { DAY_MS, generateTraffic, HOUR_MS, PEAK_HOURS } from '../traffic.ts';

/**
 * The free-tier scenario, variant "calendar-day resets with a key pool" (issue #11): the
 * modelled day is a day in India (Asia/Kolkata, UTC+5:30), and the daily caps are calendar days
 * as the providers count them. Gemini's day resets at midnight Pacific time, 13:30 in India
 * (winter), in the middle of the afternoon peak: counted as a calendar day, its cap is there
 * twice in the peak, where a sliding 24-hour window (`per: 1d`) would still count the morning's
 * calls until the next morning. OpenRouter's day is UTC: it resets at 05:30. Gemini also has two
 * keys from two projects (two quota groups: Gemini counts per project), each with the whole
 * free tier of its own. The simulator counts the same way (fixed windows, per key), compressed
 * like everything else.
 */

export interface CalendarKeyPoolOptions {
  compression?: number;
  volume?: number;
  jobsPerDay?: number;
  seed?: number;
}

const LATENCY: SimLatency = { kind: 'lognormal', medianMs: 4, p99Ms: 20 };
const LATENCY_ALLOWANCE_MS = 20;
const ROUTE = 'day';
/** Midnight in Los Angeles (PST, UTC-8) is 13:30 in India (UTC+5:30); midnight UTC is 05:30. */
const PACIFIC_MIDNIGHT_HOUR = 13.5;
const UTC_MIDNIGHT_HOUR = 5.5;
/** Gemini keys, one per project: each project has the free tier's limits. */
const GEMINI_KEYS = ['sim-gemini-project-a', 'sim-gemini-project-b'];
/** Time for the worker processes to start before the day does (its start anchors the resets). */
const START_DELAY_MS = 30_000;

/** Where each capped tier's day resets, in modelled hours from the day's start (India). */
const DAY_RESET_HOUR: Record<string, number> = {
  'gemini-free': PACIFIC_MIDNIGHT_HOUR,
  'openrouter-free': UTC_MIDNIGHT_HOUR,
};

export async function calendarKeyPoolScenario(options: CalendarKeyPoolOptions = {}): Promise<Table[]> {
  const compression = options.compression ?? 360;
  const volume = options.volume ?? 20;
  const jobsPerDay = options.jobsPerDay ?? 80_000;
  const seed = options.seed ?? 1;
  const deadlineMs = { interactive: 5_000, batch: 60_000 };
  const scale: ScaleOptions = { compression, volume, shortestWindowMs: 1_800_000 };
  const dayMs = DAY_MS / compression;
  const peak = {
    fromMs: (PEAK_HOURS.from * HOUR_MS) / compression,
    toMs: (PEAK_HOURS.to * HOUR_MS) / compression,
  };
  const jobs = generateTraffic({
    jobs: jobsPerDay / volume,
    compression,
    deadlineMs,
    interactiveShare: 0.55,
    seed,
  });
  const free = SCENARIO_PROVIDERS.filter((provider) => provider.tier === 'free');
  const paidProvider = SCENARIO_PROVIDERS.find((provider) => provider.tier === 'paid')!;

  /** A provider's limits, its day a calendar day (fixed window) or, for the baseline, sliding. */
  const limitsOf = (provider: ScenarioProvider, calendar: boolean): ScaledLimit[] =>
    scaledLimits(provider, scale).map((limit) =>
      calendar && limit.windowMs >= dayMs && DAY_RESET_HOUR[provider.id] !== undefined
        ? { ...limit, resetsAtMs: (DAY_RESET_HOUR[provider.id]! * HOUR_MS) / compression }
        : limit,
    );
  const keysOf = (provider: ScenarioProvider) => (provider.id === 'gemini-free' ? GEMINI_KEYS.length : 1);

  /**
   * The optimum's providers: a pool of k groups is one provider with k times each limit (exact
   * for the fixed days; for the sliding windows a little more room than k separate windows, so
   * the optimum stays a bound).
   */
  const optimumInput = (marginMs: number, calendar: boolean, pool: boolean) => ({
    providers: free.map(
      (provider): OptimumProvider => ({
        id: provider.id,
        limits: limitsOf(provider, calendar).map((limit) => ({
          ...limit,
          max: limit.max * (pool ? keysOf(provider) : 1),
        })),
        capped: scaledLimits(provider, scale).some((limit) => limit.windowMs >= dayMs),
        ...(provider.id === FAILING_PROVIDER.id ? { failing: { ...peak, fails: failureDraws() } } : {}),
      }),
    ),
    jobs: jobs.map((job) => ({
      arrivalMs: job.arrivalMs,
      latestStartMs: job.deadlineMs - LATENCY_ALLOWANCE_MS - marginMs,
      tokens: job.inputTokens + job.maxTokens,
      rank: job.priority === 'interactive' ? 0 : 1,
    })),
  });
  const exact = optimumInput(0, true, true);
  const optimum = offlineOptimum(exact.jobs, exact.providers);
  const margined = optimumInput(SWITCHYARD_SAFETY_MS, true, true);
  const optimumWithMargin = offlineOptimum(margined.jobs, margined.providers);
  const switchyardPolicy = simulateSchedule(margined.jobs, margined.providers, SWITCHYARD_POLICY);
  // The yield: what the same day costs counted as before (a sliding 24 hours, one key).
  const yieldRows = (
    [
      ['one key, days counted as a sliding 24 hours (per: 1d)', false, false],
      ['one key, calendar days (per: day, timeZone)', true, false],
      ['two Gemini projects, calendar days', true, true],
    ] as const
  ).map(([label, calendar, pool]) => {
    const input = optimumInput(0, calendar, pool);
    const bounds = offlineOptimum(input.jobs, input.providers);
    const policy = simulateSchedule(
      optimumInput(SWITCHYARD_SAFETY_MS, calendar, pool).jobs,
      optimumInput(SWITCHYARD_SAFETY_MS, calendar, pool).providers,
      SWITCHYARD_POLICY,
    );
    return { label, bounds, policy };
  });

  const prefix = benchPrefix();
  const startAt = Date.now() + START_DELAY_MS;
  const simulator = await startSimulator({ providers: [] });
  const entries = SCENARIO_PROVIDERS.map((provider) => {
    const limits = limitsOf(provider, true);
    const simLimits: SimLimit[] = limits.map((limit) => ({
      ...(limit.unit === 'requests' ? { requests: limit.max } : { tokens: limit.max }),
      per: limit.windowMs,
      ...(limit.resetsAtMs === undefined ? {} : { resetsAt: startAt + limit.resetsAtMs }),
    }));
    const pooled = keysOf(provider) > 1;
    simulator.addProvider({
      id: provider.id,
      format: provider.format,
      models: [{ name: SCENARIO_MODEL, contextWindow: 32_000 }],
      limits: simLimits,
      latency: LATENCY,
      ...(pooled ? { apiKeys: GEMINI_KEYS } : {}),
      ...(provider.id === FAILING_PROVIDER.id ? { seed: FAILING_PROVIDER.seed } : {}),
    });
    return {
      id: provider.id,
      kind: provider.format,
      baseUrl: simulator.baseUrlFor(provider.id),
      ...(pooled ? { apiKeys: GEMINI_KEYS } : { apiKey: 'sim-key' }),
      tier: provider.tier,
      models: [
        {
          name: SCENARIO_MODEL,
          contextWindow: 32_000,
          price: { input: provider.pricePerMillion, output: provider.pricePerMillion },
        },
      ],
      limits: limits.map((limit) => ({
        ...(limit.unit === 'requests' ? { requests: limit.max } : { tokens: limit.max }),
        per: `${limit.windowMs}ms`,
        ...(limit.resetsAtMs === undefined
          ? {}
          : { resetsAt: new Date(startAt + limit.resetsAtMs).toISOString() }),
      })),
      concurrency: provider.concurrency,
      timeout: '10s',
    };
  });
  const raw = {
    presets: 'off',
    providers: entries,
    routes: {
      // Strict, as in the base scenario: the capped tiers see only what mistral-free cannot start in time.
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
    workers.push(await startWorkerProcess(path));
    if (Date.now() > startAt - 2_000) throw new Error('the worker process took too long to start');
    const run = await runDay({
      services,
      simulator,
      jobs,
      route: ROUTE,
      firstTarget: free[0]!.id,
      peak,
      startAt,
      progress: (line) => process.stderr.write(`calendar-key-pool scenario: ${line}\n`),
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
    report.summary.title = 'free-tier scenario, calendar-day resets with a key pool';
    const total = jobs.length;
    const share = (count: number) => `${formatNumber((100 * count) / total, 2)} %`;
    const bounds = (found: { lowerBound: number; upperBound: number }) =>
      found.lowerBound === found.upperBound
        ? `${found.lowerBound} (${share(found.lowerBound)})`
        : `${found.lowerBound}-${found.upperBound} (${share(found.lowerBound)}-${share(found.upperBound)})`;
    const baseline = yieldRows[0]!;
    const yieldTable: Table = {
      title: 'calendar-day resets and a key pool: paid jobs of the same day (offline model, same run)',
      columns: [
        'free tiers counted as',
        'offline optimum (paid)',
        "Switchyard's policy without loss (paid)",
        'free jobs gained',
      ],
      rows: yieldRows.map((row) => [
        row.label,
        bounds(row.bounds),
        `${row.policy.paid} (${share(row.policy.paid)})`,
        row === baseline
          ? 'baseline'
          : `${baseline.bounds.upperBound - row.bounds.upperBound} (optimum), ${baseline.policy.paid - row.policy.paid} (policy)`,
      ]),
    };
    const gemini = free.find((provider) => provider.id === 'gemini-free')!;
    report.summary.notes = [
      ...report.notes,
      `Variant "calendar-day resets with a key pool": the modelled day is a day in India (UTC+5:30). ${gemini.id}'s day is a calendar day of America/Los_Angeles: it resets at 13:30 India time, ${formatNumber((PACIFIC_MIDNIGHT_HOUR * HOUR_MS) / compression / 1000, 1)} s into the run, in the peak (a fixed window of ${formatNumber(dayMs)} ms with resetsAt, the compressed form of per: day with timeZone); openrouter-free's is the UTC day (it resets at 05:30, ${formatNumber((UTC_MIDNIGHT_HOUR * HOUR_MS) / compression / 1000, 1)} s into the run). The yield table compares, in the offline model of the same run, the same day counted as before (per: 1d, a sliding 24 hours from the day's start) and with one key. ${gemini.id} holds ${GEMINI_KEYS.length} keys of ${GEMINI_KEYS.length} projects (quota groups), each with ${limitsOf(gemini, true).map(describeLimit).join(', ')}; the simulator counts per key and resets at the same instants. The optimum treats the pool as one provider with twice each limit (exact for the days, a little more room for the sliding windows).`,
      `Compressed ${compression}x: a day in ${formatNumber(dayMs / 1000)} s. ${jobs.length} jobs (seed ${seed}), deadlines ${deadlineMs.interactive} ms interactive and ${deadlineMs.batch} ms batch, as in the base scenario; ${free.map((provider) => `${provider.id}: ${limitsOf(provider, true).map(describeLimit).join(', ')}`).join('; ')}. Switchyard: 1 worker process (${workerEntryNote()}).`,
    ];
    return [report.summary, yieldTable, report.paths];
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await services.close();
    removeConfig(path);
    await simulator.close();
    await deleteKeys(prefix);
  }
}

function failureDraws(): (call: number) => boolean {
  const random = createRandom(FAILING_PROVIDER.seed);
  const fails: boolean[] = [false];
  return (call) => {
    while (fails.length <= call) fails.push(random() < FAILING_PROVIDER.share);
    return fails[call]!;
  };
}
