import { startSimulator } from '@switchyard/provider-sim';
import { LIMITS, requestBound, runExact, runSwitchyard, type SwitchyardRun } from './quota-fidelity.ts';
import { benchPrefix, deleteKeys } from './support/bench-prefix.ts';
import { formatNumber, type Table } from './support/format-table.ts';
import { workerEntryNote } from './support/start-worker-process.ts';

export interface QuotaDiagnosisOptions {
  /** Jobs per variant (default 300: 6 windows of 50). */
  jobs?: number;
}

const VARIANTS = [
  { label: 'openai format, 3 worker processes (as quota-fidelity)', format: 'openai', processes: 3 },
  { label: 'openai format, 1 worker process', format: 'openai', processes: 1 },
  { label: 'gemini format (no rate-limit headers), 1 worker process', format: 'gemini', processes: 1 },
  { label: 'gemini format (no rate-limit headers), 3 worker processes', format: 'gemini', processes: 3 },
] as const;

/**
 * Not part of the default run: the request-bound quota-fidelity scenario under four variants,
 * to separate two causes of lost rate. The OpenAI format sends x-ratelimit-* headers (which
 * the broker acts on), Gemini sends none; one worker process never finds the queue at its
 * global concurrency while others hold the slots, three do.
 */
export async function quotaDiagnosis(options: QuotaDiagnosisOptions = {}): Promise<Table[]> {
  const scenario = requestBound(options.jobs ?? 300);
  const prefix = benchPrefix();
  const simulator = await startSimulator({ providers: [] });
  try {
    const exact = await runExact(simulator, 'exact', scenario);
    const configured = (LIMITS.requests * 1000) / LIMITS.windowMs;
    const runs: { label: string; run: SwitchyardRun }[] = [];
    for (const [index, variant] of VARIANTS.entries()) {
      const run = await runSwitchyard(simulator, prefix, {
        id: `variant-${index}`,
        scenario,
        processes: variant.processes,
        format: variant.format,
      });
      runs.push({ label: variant.label, run });
    }
    const row = (label: string, rate: SwitchyardRun['rate'], extra: string[]) => [
      label,
      formatNumber(rate.requestsPerSecond, 2),
      formatNumber(rate.requestsPerSecond / configured, 3),
      String(rate.refused),
      formatNumber(rate.longestGapMs),
      ...extra,
    ];
    return [
      {
        title: `quota-diagnosis: requests bind (${LIMITS.requests} per 2 s), ${scenario.jobs} jobs per variant`,
        columns: ['run', 'requests/s', '÷ configured', '429s', 'longest pause (ms)', 'backlog drained (s)'],
        rows: [
          row('exact client (baseline)', exact.rate, [formatNumber(exact.elapsedMs / 1000, 1)]),
          ...runs.map(({ label, run }) =>
            row(label, run.rate, [
              `${formatNumber(run.elapsedMs / 1000, 1)}${run.unfinished > 0 ? ` (${run.unfinished} unfinished)` : ''}`,
            ]),
          ),
        ],
        notes: [
          'Same limits, prompts and measurement as quota-fidelity; each variant has its own simulated provider and its own worker processes.',
          ...runs.map(
            ({ label, run }) =>
              `${label}: during the longest pause (${formatNumber(run.rate.longestGapMs)} ms): ${run.duringLongestPause}.`,
          ),
          `An ideal run drains ${scenario.jobs} jobs in about ${formatNumber((scenario.jobs / LIMITS.requests - 1) * 2, 0)} s (the first window at once).`,
          `${workerEntryNote()}.`,
        ],
      },
    ];
  } finally {
    await simulator.close();
    await deleteKeys(prefix);
  }
}
