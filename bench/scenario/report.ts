import type { Attempt, Job } from '@switchyard/broker';
import { formatNumber, type Table, verdict } from '../support/format-table.ts';
import { quantile, sortNumbers } from '../support/quantile.ts';
import { PAID_PRICE_PER_MILLION } from './free-tiers.ts';
import type { Optimum, Schedule } from './offline-optimum.ts';
import { SWITCHYARD_SAFETY_MS } from './offline-optimum.ts';
import type { DayRun } from './run-day.ts';
import { HOUR_MS, hourOf, type ScenarioJob } from './traffic.ts';

const TARGET_GAP_PP = 1;

export interface ReportInput {
  jobs: readonly ScenarioJob[];
  run: DayRun;
  /** The optimum of the scenario as defined (latest start = deadline - provider latency). */
  optimum: Optimum;
  /** The same with Switchyard's margin (`SWITCHYARD_SAFETY_MS`) taken off every latest start. */
  optimumWithMargin: Optimum;
  /** Switchyard's policy executed without loss (queue order and promotion, its margin, capped tiers last). */
  switchyardPolicy: Schedule;
  compression: number;
  /** The first tier's shortest request limit, wall clock (for its achieved rate). */
  firstLimit: { max: number; windowMs: number };
  freeProviders: string[];
  paidProvider: string;
  firstTarget: string;
}

const percent = (count: number, total: number, digits = 2) =>
  `${formatNumber((100 * count) / total, digits)} %`;

/** Tokens of a job: what the provider reported if it succeeded, else input + max_tokens. */
function tokensOf(job: ScenarioJob, record: Job | undefined): number {
  const usage = record?.result?.usage;
  return usage ? usage.input_tokens + usage.output_tokens : job.inputTokens + job.maxTokens;
}

const costOf = (tokens: number) => (tokens * PAID_PRICE_PER_MILLION) / 1e6;
const usd = (value: number) => `$${formatNumber(value, 4)}`;

/** Why an attempt left a free target, in words. */
function categoryOf(attempt: Attempt): string {
  if (attempt.outcome !== 'skipped') return attempt.outcome;
  const code = attempt.error?.code ?? 'skipped';
  if (code === 'deadline_unreachable') {
    return attempt.error?.message.startsWith('expected')
      ? 'skipped at submission'
      : 'moved at its latest start';
  }
  if (code === 'quota_wait_exceeds_deadline') return 'quota wait past the deadline';
  return code;
}

/** The way a job took to the paid provider: `mistral: skipped at submission > gemini: ...`. */
function pathOf(record: Job, freeProviders: readonly string[]): string {
  const steps: string[] = [];
  const missing = freeProviders.filter((id) => !record.plan.some((target) => target.provider === id));
  if (missing.length > 0) steps.push(`not in the plan: ${missing.join(', ')}`);
  let previous = '';
  let repeat = 0;
  const flush = () => {
    if (previous) steps.push(repeat > 1 ? `${previous} x${repeat}` : previous);
  };
  for (const attempt of record.attempts) {
    if (attempt.outcome === 'succeeded') continue;
    const step = `${attempt.provider.replace(/-free$/, '')}: ${categoryOf(attempt)}`;
    if (step === previous) repeat += 1;
    else {
      flush();
      previous = step;
      repeat = 1;
    }
  }
  flush();
  return steps.length > 0 ? steps.join(' > ') : 'straight to paid';
}

function describeBounds(bounds: Optimum, total: number): string {
  return bounds.lowerBound === bounds.upperBound
    ? `${bounds.lowerBound} (${percent(bounds.lowerBound, total)})`
    : `${bounds.lowerBound}-${bounds.upperBound} (${percent(bounds.lowerBound, total)}-${percent(bounds.upperBound, total)})`;
}

function describeDistribution(values: readonly number[]): string {
  if (values.length === 0) return 'none';
  const sorted = sortNumbers(values);
  return `p10 ${formatNumber(quantile(sorted, 0.1))}, p50 ${formatNumber(quantile(sorted, 0.5))}, p90 ${formatNumber(quantile(sorted, 0.9))}, max ${formatNumber(sorted.at(-1)!)} (${values.length} jobs)`;
}

export function buildReport(input: ReportInput): {
  summary: Table;
  byHour: Table;
  paths: Table;
  notes: string[];
} {
  const { jobs, run, optimum, optimumWithMargin } = input;
  const total = jobs.length;
  const records = run.records;
  const servedBy = records.map((record) =>
    record?.status === 'succeeded' ? record.result?.provider : undefined,
  );
  const succeeded = servedBy.filter((provider) => provider !== undefined).length;
  const paid = servedBy.filter((provider) => provider === input.paidProvider).length;
  const misses = records.filter(
    (record) =>
      record?.status === 'succeeded' &&
      record.completed_at &&
      Date.parse(record.completed_at) > record.deadline,
  ).length;
  const optimumPaid = optimum.schedule.servedBy.map((provider) => provider === undefined);

  const allPaidCost = jobs.reduce((sum, job) => sum + costOf(tokensOf(job, records[job.index])), 0);
  const switchyardCost = records.reduce((sum, record) => sum + (record?.result?.cost_usd ?? 0), 0);
  const optimumCost = jobs.reduce(
    (sum, job) => sum + (optimumPaid[job.index] ? costOf(tokensOf(job, records[job.index])) : 0),
    0,
  );

  const share = (100 * paid) / total;
  const lowerShare = (100 * optimum.lowerBound) / total;
  const upperShare = (100 * optimum.upperBound) / total;
  const gapToLower = share - lowerShare;
  const gapToUpper = share - upperShare;
  const exact = optimum.lowerBound === optimum.upperBound;
  const optimumText = exact
    ? `${optimum.lowerBound} (${percent(optimum.lowerBound, total)})`
    : `${optimum.lowerBound}-${optimum.upperBound} (${formatNumber(lowerShare, 2)}-${formatNumber(upperShare, 2)} %)`;
  // The refusing tier's 429s in its hour are the variant's point, not mis-accounting.
  const rejected429 =
    input.freeProviders.reduce((sum, id) => sum + (run.stats[id]?.rateLimited ?? 0), 0) - run.refusals;
  const lags = sortNumbers(run.lagMs);

  // The first tier is saturated from 09:00 to 17:00 in every run: its calls there against its limit.
  const from = (9 * HOUR_MS) / input.compression;
  const to = (17 * HOUR_MS) / input.compression;
  const firstCalls = (run.stats[input.firstTarget]?.log ?? []).filter(
    (entry) => entry.at - run.startedAt >= from && entry.at - run.startedAt < to,
  ).length;
  const firstTierRate = firstCalls / (((to - from) / input.firstLimit.windowMs) * input.firstLimit.max);

  const summary: Table = {
    title: `free-tier scenario: one day in ${formatNumber(jobs.length)} jobs, 3 free tiers + 1 paid, compressed ${input.compression}x`,
    columns: ['measure', 'Switchyard', 'offline optimum', 'all on paid', 'target', 'Switchyard'],
    rows: [
      [
        'jobs completed',
        `${succeeded} / ${total} (${percent(succeeded, total, 1)})`,
        `${total} / ${total}`,
        `${total} / ${total}`,
        '100 %',
        verdict(succeeded === total),
      ],
      ['jobs answered after their deadline', String(misses), '0', '0', '0', verdict(misses === 0)],
      [
        'jobs on the paid provider',
        `${paid} (${percent(paid, total)})`,
        optimumText,
        `${total} (100 %)`,
        '',
        '',
      ],
      [
        'paid share - optimum (pp)',
        exact
          ? formatNumber(gapToLower, 2)
          : `${formatNumber(gapToUpper, 2)} to ${formatNumber(gapToLower, 2)}`,
        '0',
        '',
        `<= ${TARGET_GAP_PP}`,
        verdict(gapToLower <= TARGET_GAP_PP),
      ],
      [
        `optimum with Switchyard's margin (${SWITCHYARD_SAFETY_MS} ms off each latest start)`,
        '',
        describeBounds(optimumWithMargin, total),
        '',
        '',
        '',
      ],
      [
        "Switchyard's policy executed without loss (see notes)",
        `${input.switchyardPolicy.paid} (${percent(input.switchyardPolicy.paid, total)})`,
        '',
        '',
        '',
        '',
      ],
      ['cost (USD)', usd(switchyardCost), usd(optimumCost), usd(allPaidCost), '', ''],
      [
        'cost / all on paid',
        formatNumber(switchyardCost / allPaidCost, 3),
        formatNumber(optimumCost / allPaidCost, 3),
        '1',
        '',
        '',
      ],
      [
        run.refusals > 0
          ? '429s sent by the free providers (besides the refusing hour)'
          : '429s sent by the free providers',
        String(rejected429),
        '0',
        '',
        '0',
        verdict(rejected429 === 0),
      ],
      ...input.freeProviders.map((id) => {
        const stats = run.stats[id];
        const calls = stats?.requests ?? 0;
        const served = servedBy.filter((provider) => provider === id).length;
        const failures = Object.values(stats?.failuresInjected ?? {}).reduce((sum, count) => sum + count, 0);
        const wasted = calls - served - failures - (stats?.rateLimited ?? 0);
        return [
          `${id}: jobs served (calls made, answers thrown away)`,
          `${served} (${calls}, ${wasted})`,
          `${optimum.schedule.servedBy.filter((provider) => provider === id).length} (${optimum.schedule.calls[id] ?? 0}, 0)`,
          '0',
          '',
          '',
        ];
      }),
      [`${input.firstTarget}: calls 09:00-17:00 / its limit`, formatNumber(firstTierRate, 3), '', '', '', ''],
      [
        'failed calls of the failing provider in the peak',
        `${run.spell.failed} of ${run.spell.requests} (${percent(run.spell.failed, Math.max(1, run.spell.requests), 1)})`,
        `${optimum.schedule.failedCalls} of ${optimum.schedule.spellCalls} (same draws)`,
        '',
        '',
        '',
      ],
      [
        'submission lag p50 / p99 / max (ms)',
        `${formatNumber(quantile(lags, 0.5))} / ${formatNumber(quantile(lags, 0.99))} / ${formatNumber(lags.at(-1) ?? 0)}`,
        '',
        '',
        '',
        '',
      ],
    ],
  };

  const byHourRows: string[][] = [];
  for (let hour = 0; hour < 24; hour++) {
    const inHour = jobs.filter((job) => hourOf(job.arrivalMs, input.compression) === hour);
    const split = (predicate: (job: ScenarioJob) => boolean) => {
      const chosen = inHour.filter(predicate);
      const interactive = chosen.filter((job) => job.priority === 'interactive').length;
      return `${chosen.length} (${interactive} / ${chosen.length - interactive})`;
    };
    byHourRows.push([
      `${String(hour).padStart(2, '0')}:00`,
      split(() => true),
      split((job) => servedBy[job.index] === input.paidProvider),
      split((job) => optimumPaid[job.index]!),
      split((job) => servedBy[job.index] === undefined),
    ]);
  }
  const byHour: Table = {
    title: 'free-tier scenario by hour of the modelled day: jobs (interactive / batch)',
    columns: [
      'arrived in',
      'arrivals',
      'Switchyard: on paid',
      'optimum schedule: on paid',
      'Switchyard: not done',
    ],
    rows: byHourRows,
    notes: [
      `The optimum schedule is the simulated one behind the upper bound (${optimum.schedule.policy}); other schedules with as few paid jobs exist.`,
    ],
  };

  const pathCounts = new Map<string, { interactive: number; batch: number }>();
  records.forEach((record, index) => {
    if (!record || servedBy[index] !== input.paidProvider) return;
    const path = pathOf(record, input.freeProviders);
    const counts = pathCounts.get(path) ?? { interactive: 0, batch: 0 };
    counts[record.priority] += 1;
    pathCounts.set(path, counts);
  });
  const paths: Table = {
    title: 'free-tier scenario: how the jobs Switchyard sent to the paid provider left the free tiers',
    columns: ['attempts before the paid provider', 'jobs', 'interactive', 'batch'],
    rows: [...pathCounts.entries()]
      .sort((a, b) => b[1].interactive + b[1].batch - (a[1].interactive + a[1].batch))
      .slice(0, 12)
      .map(([path, counts]) => [
        path,
        String(counts.interactive + counts.batch),
        String(counts.interactive),
        String(counts.batch),
      ]),
  };

  // How good the start estimate for the first target was: for jobs that started there without
  // being moved, the real wait minus the estimate read just before submitting.
  const first = input.firstTarget;
  const estimateErrors: Record<'interactive' | 'batch', number[]> = { interactive: [], batch: [] };
  const acceptedThenMoved: Record<'interactive' | 'batch', number[]> = { interactive: [], batch: [] };
  const skippedEstimates: Record<'interactive' | 'batch', number[]> = { interactive: [], batch: [] };
  records.forEach((record, index) => {
    const estimate = run.estimateMs[index];
    const job = jobs[index]!;
    if (!record || estimate === undefined) return;
    const firstAttempt = record.attempts[0];
    if (!firstAttempt || firstAttempt.provider !== first) return;
    if (firstAttempt.outcome === 'succeeded' || firstAttempt.outcome === 'server_error') {
      const wait = Date.parse(firstAttempt.started_at) - (run.startedAt + job.arrivalMs);
      estimateErrors[job.priority].push(wait - estimate);
    } else if (categoryOf(firstAttempt) === 'moved at its latest start') {
      acceptedThenMoved[job.priority].push(estimate);
    } else if (categoryOf(firstAttempt) === 'skipped at submission') {
      skippedEstimates[job.priority].push(estimate);
    }
  });

  const notes = [
    `Paid share: ${formatNumber(share, 2)} % against an optimum of ${exact ? `${formatNumber(lowerShare, 2)} %` : `${formatNumber(lowerShare, 2)}-${formatNumber(upperShare, 2)} %`} (the verdict compares with the lower bound, the least any schedule could reach).`,
    `Start estimate on ${first} (real wait until the call started - the estimate read just before submitting), ms: interactive ${describeDistribution(estimateErrors.interactive)}; batch ${describeDistribution(estimateErrors.batch)}.`,
    `Jobs the estimate kept on ${first} that were then moved at their latest start (estimate at submission, ms): interactive ${describeDistribution(acceptedThenMoved.interactive)}; batch ${describeDistribution(acceptedThenMoved.batch)}.`,
    `Jobs skipped past ${first} at submission (estimate, ms): interactive ${describeDistribution(skippedEstimates.interactive)}; batch ${describeDistribution(skippedEstimates.batch)}.`,
    `429s by provider: ${input.freeProviders.map((id) => `${id} ${run.stats[id]?.rateLimited ?? 0}`).join(', ')}${run.refusals > 0 ? ` (${run.refusals} of them in the refusing hour)` : ''}.`,
  ];
  if (run.submitErrors.length > 0) {
    notes.push(`${run.submitErrors.length} submissions failed, the first: ${run.submitErrors[0]}.`);
  }
  if (run.unfinished > 0) notes.push(`${run.unfinished} jobs were not terminal when the wait gave up.`);
  const failedRecords = records.filter((record) => record?.status === 'failed');
  if (failedRecords.length > 0) {
    notes.push(
      `${failedRecords.length} jobs failed; the first: ${failedRecords[0]!.error?.message ?? 'no error'}.`,
    );
  }
  return { summary, byHour, paths, notes };
}
