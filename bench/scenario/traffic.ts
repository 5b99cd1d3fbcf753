import type { Priority } from '@switchyard/broker';
import { createRandom } from '@switchyard/provider-sim';

/**
 * A day of traffic for the free-tier scenario: when each job arrives, what it asks for and by
 * when it must be answered. Deterministic for a seed (the simulator's mulberry32), so every run, and the
 * offline optimum, see the same jobs.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Relative arrival rate for each hour of the (real) day, 0:00 to 23:00: quiet at night, a
 * working-day plateau, and the afternoon peak 14:00-17:00 at ~2.5 times the daily mean.
 * The rate is interpolated linearly between hour midpoints.
 */
const HOURLY_RATE = [
  0.25, 0.2, 0.2, 0.2, 0.25, 0.35, 0.55, 0.8, 1.1, 1.3, 1.4, 1.4, 1.25, 1.5, 2.2, 2.4, 2.2, 1.4, 1.0, 0.8,
  0.7, 0.6, 0.45, 0.35,
] as const;

/** The peak, in real hours: the three busiest hours, when one free provider also fails. */
export const PEAK_HOURS = { from: 14, to: 17 } as const;

export interface TrafficOptions {
  /** Jobs in the (compressed, volume-scaled) day, on average. */
  jobs: number;
  /** Real time / wall time: a day lasts DAY_MS / compression ms. */
  compression: number;
  /** Wall-clock deadlines, from arrival. */
  deadlineMs: Record<Priority, number>;
  /** Share of interactive jobs (the rest are batch). */
  interactiveShare: number;
  seed: number;
}

export interface ScenarioJob {
  index: number;
  id: string;
  priority: Priority;
  /** Wall-clock ms after the start of the day. */
  arrivalMs: number;
  /** Wall-clock ms after the start of the day by which the answer must be in. */
  deadlineMs: number;
  /** Input tokens as the simulator and Switchyard count them (ceil(characters / 4)). */
  inputTokens: number;
  maxTokens: number;
  prompt: string;
}

/** Relative rate at a real time of day (ms after midnight). */
function rateAt(realMs: number): number {
  const hours = realMs / HOUR_MS - 0.5;
  const lower = Math.floor(hours);
  const fraction = hours - lower;
  const at = (hour: number) => HOURLY_RATE[((hour % 24) + 24) % 24]!;
  return at(lower) * (1 - fraction) + at(lower + 1) * fraction;
}

/**
 * Token sizes, chosen to look like real traffic: interactive jobs are short chat-style
 * prompts (median 300 tokens, p90 ~740) with a 256-token answer budget; batch jobs are
 * documents to summarize (median 1,200 tokens, p90 ~2,600) with a 400-token budget. The
 * simulator answers with a summary of about a third of the input, cut at max_tokens.
 */
const SIZES: Record<
  Priority,
  { median: number; sigma: number; min: number; max: number; maxTokens: number }
> = {
  interactive: { median: 300, sigma: 0.7, min: 30, max: 3_000, maxTokens: 256 },
  batch: { median: 1_200, sigma: 0.6, min: 200, max: 8_000, maxTokens: 400 },
};

const SENTENCES = [
  'The quarterly report shows revenue grew in every region except the north.',
  'Customers asked for faster delivery and clearer invoices.',
  'The support team closed most tickets within a day.',
  'A new warehouse opened near the port in March.',
  'Energy costs fell after the plant switched suppliers.',
  'The board approved the budget for the next two years.',
  'Two engineers rewrote the billing service to cut latency.',
  'Sales of the premium plan doubled after the price change.',
  'The audit found no material weaknesses in the controls.',
  'Shipping delays were traced to a single customs office.',
  'The river rose overnight and crews worked until dawn.',
  'Most users open the app in the evening on their phones.',
  'The contract renews automatically unless either party objects.',
  'Inventory turnover improved as slow items were discounted.',
  'The pilot in two cities will decide the national rollout.',
  'Staff turnover dropped after the schedule became predictable.',
  'The model answered questions about refunds most often.',
  'A storm closed the airport for six hours on Tuesday.',
];

/** A prompt of exactly `tokens` tokens (4 characters each) made of sentences. */
function promptOf(index: number, tokens: number, random: () => number): string {
  const target = tokens * 4;
  let text = `Document ${index}. `;
  let next = Math.floor(random() * SENTENCES.length);
  while (text.length < target) {
    text += `${SENTENCES[next]!} `;
    next = (next + 1 + Math.floor(random() * 3)) % SENTENCES.length;
  }
  return text.slice(0, target);
}

function lognormal(random: () => number, median: number, sigma: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * normal);
}

/**
 * The jobs of one day, by arrival: a non-homogeneous Poisson process (thinning) following
 * HOURLY_RATE, scaled so the day holds `jobs` arrivals on average.
 */
export function generateTraffic(options: TrafficOptions): ScenarioJob[] {
  const random = createRandom(options.seed);
  const dayMs = DAY_MS / options.compression;
  const meanRate = HOURLY_RATE.reduce((sum, rate) => sum + rate, 0) / 24;
  const peakRate = Math.max(...HOURLY_RATE);
  // Arrivals per wall-clock ms at relative rate 1, and at the highest rate (for thinning).
  const perMsAtMean = options.jobs / dayMs / meanRate;
  const maxPerMs = perMsAtMean * peakRate;
  const jobs: ScenarioJob[] = [];
  let at = 0;
  for (;;) {
    at += -Math.log(1 - random()) / maxPerMs;
    if (at >= dayMs) break;
    if (random() * peakRate >= rateAt(at * options.compression)) continue;
    const index = jobs.length;
    const priority: Priority = random() < options.interactiveShare ? 'interactive' : 'batch';
    const size = SIZES[priority];
    const inputTokens = Math.round(
      Math.min(size.max, Math.max(size.min, lognormal(random, size.median, size.sigma))),
    );
    const arrivalMs = Math.round(at);
    jobs.push({
      index,
      id: `job_day${String(index).padStart(5, '0')}`,
      priority,
      arrivalMs,
      deadlineMs: arrivalMs + options.deadlineMs[priority],
      inputTokens,
      maxTokens: size.maxTokens,
      prompt: promptOf(index, inputTokens, random),
    });
  }
  return jobs;
}

/** The real hour of the day (0-23) a wall-clock offset falls in. */
export function hourOf(wallMs: number, compression: number): number {
  return Math.min(23, Math.floor((wallMs * compression) / HOUR_MS));
}
