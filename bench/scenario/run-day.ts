import type { Services } from '@switchyard/app/services';
import type { Job } from '@switchyard/broker';
import type { ProviderStats, Simulator } from '@switchyard/provider-sim';
import { watchJobEvents } from '../support/job-events.ts';
import { runPool, sleep } from '../support/run-pool.ts';
import { FAILING_PROVIDER, SCENARIO_MODEL } from './free-tiers.ts';
import type { ScenarioJob } from './traffic.ts';

export interface DayRun {
  /** Wall-clock epoch ms of the day's start (arrival offsets count from here). */
  startedAt: number;
  /** Per scenario job (same index): its final record, or undefined if it could not be read. */
  records: (Job | undefined)[];
  /** Per job: ms between its planned arrival and the submit call. */
  lagMs: number[];
  /** Per job: Switchyard's own start estimate for the first target, read just before submitting. */
  estimateMs: (number | undefined)[];
  submitErrors: string[];
  /** Jobs not terminal when the wait gave up. */
  unfinished: number;
  /** The simulator's counters and request logs (the last 10,000 requests of each provider). */
  stats: Record<string, ProviderStats>;
  /** Requests the failing provider received during its bad spell, and how many failed. */
  spell: { requests: number; failed: number };
  /** 429s the refusing provider sent while it refused every call (see `DayRunOptions.refusing`). */
  refusals: number;
}

export interface DayRunOptions {
  services: Services;
  simulator: Simulator;
  jobs: readonly ScenarioJob[];
  route: string;
  firstTarget: string;
  peak: { fromMs: number; toMs: number };
  /** Prints the time of day now and then (stderr). */
  progress?: (line: string) => void;
  /** A free tier that refuses every call (429, `Retry-After: 1`) from `fromMs` to `toMs` of the day. */
  refusing?: { provider: string; fromMs: number; toMs: number };
  /** Epoch ms the day starts at (default: 2 s from now), for limits anchored to it. */
  startAt?: number;
}

/**
 * Plays the day in wall-clock time: submits each job at its arrival (through the API role's
 * broker, with its health checks), turns the failing provider's failures on for the peak,
 * waits until every job is terminal (or the last deadline + 30 s passed), then reads every
 * job record and the simulator's counters.
 */
export async function runDay(options: DayRunOptions): Promise<DayRun> {
  const { services, simulator, jobs } = options;
  const broker = services.broker;
  const events = await watchJobEvents(broker.keys.jobEvents);
  const lagMs: number[] = new Array(jobs.length).fill(0);
  const estimateMs: (number | undefined)[] = new Array(jobs.length).fill(undefined);
  const submitErrors: string[] = [];
  const startedAt = options.startAt ?? Date.now() + 2_000;
  const timers: NodeJS.Timeout[] = [];
  let spellStart = 0;
  const stats = () => simulator.stats(FAILING_PROVIDER.id);
  const spellCounts = { requests: 0, failed: 0 };
  const failedNow = () => {
    const counters = stats().failuresInjected;
    return Object.values(counters).reduce((sum, count) => sum + count, 0);
  };
  timers.push(
    setTimeout(
      () => {
        spellStart = stats().requests;
        spellCounts.failed = failedNow();
        simulator.configure(FAILING_PROVIDER.id, {
          failures: { [FAILING_PROVIDER.kind]: FAILING_PROVIDER.share },
        });
      },
      startedAt + options.peak.fromMs - Date.now(),
    ),
    setTimeout(
      () => {
        simulator.configure(FAILING_PROVIDER.id, { failures: null });
        spellCounts.requests = stats().requests - spellStart;
        spellCounts.failed = failedNow() - spellCounts.failed;
      },
      startedAt + options.peak.toMs - Date.now(),
    ),
  );
  const refusing = options.refusing;
  let refusals = 0;
  if (refusing) {
    const refused = () => simulator.stats(refusing.provider).rateLimited;
    timers.push(
      setTimeout(
        () => {
          refusals = refused();
          simulator.configure(refusing.provider, { down: 'rate_limited' });
        },
        startedAt + refusing.fromMs - Date.now(),
      ),
      setTimeout(
        () => {
          simulator.configure(refusing.provider, { down: false });
          refusals = refused() - refusals;
        },
        startedAt + refusing.toMs - Date.now(),
      ),
    );
  }
  const [firstProvider, firstModel] = [options.firstTarget, SCENARIO_MODEL];
  const inFlight = new Set<Promise<void>>();
  let nextProgress = startedAt;
  try {
    for (const job of jobs) {
      const due = startedAt + job.arrivalMs;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (Date.now() >= nextProgress) {
        options.progress?.(
          `${Math.round((Date.now() - startedAt) / 1000)} s into the day, ${job.index} submitted`,
        );
        nextProgress += 30_000;
      }
      lagMs[job.index] = Date.now() - due;
      const submission = (async () => {
        try {
          estimateMs[job.index] = await broker.estimateStartMs(
            { provider: firstProvider, model: firstModel },
            { inputTokens: job.inputTokens, maxTokens: job.maxTokens },
            job.priority,
          );
          await broker.submit({
            id: job.id,
            tenant: 'bench',
            route: options.route,
            messages: [{ role: 'user', content: job.prompt }],
            maxTokens: job.maxTokens,
            priority: job.priority,
            deadline: startedAt + job.deadlineMs,
          });
        } catch (error) {
          submitErrors.push(`${job.id}: ${error instanceof Error ? error.message : String(error)}`);
        }
      })();
      inFlight.add(submission);
      void submission.finally(() => inFlight.delete(submission));
    }
    await Promise.all(inFlight);
    const lastDeadline = Math.max(...jobs.map((job) => job.deadlineMs));
    await events.untilTerminal(
      jobs.length - submitErrors.length,
      startedAt + lastDeadline + 30_000 - Date.now(),
    );
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await events.close();
  }
  const counts = events.counts();
  const terminal = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
  const records = await runPool(jobs.length, 32, (index) =>
    broker.get(jobs[index]!.id).catch(() => undefined),
  );
  return {
    startedAt,
    records,
    lagMs,
    estimateMs,
    submitErrors,
    unfinished: jobs.length - submitErrors.length - terminal,
    refusals,
    stats: simulator.stats(),
    spell: spellCounts,
  };
}
