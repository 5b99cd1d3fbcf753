import { parseDuration } from '@switchyard/config';

/**
 * The providers of the free-tier scenario: three free tiers as documented (docs/providers.md,
 * "Free-tier limits and rate-limit headers", and the packages/config presets, 2026-11) and one
 * paid provider, scaled to the scenario.
 *
 * Scaling, in this order, for every limit:
 * 1. A window shorter than `shortestWindowMs` (real time) becomes its equivalent over that
 *    window (15 requests/minute -> 150 per 10 minutes; 1 request/s -> 600 per 10 minutes).
 *    Compressed 360 times, a 1-minute window would last 167 ms and a 1-second one 3 ms: shorter
 *    than what one broker call costs, so the scenario would measure the compression, not the
 *    scheduling (Switchyard counts a call until its answer + the window, as any client that
 *    cannot see the provider's clock must; quota-fidelity measures ~20-40 ms lost per window).
 *    The equivalent keeps the sustained rate and admits larger bursts.
 * 2. Counts are divided by `volume` (rounded down, at least 1): the scenario is a deployment
 *    `volume` times smaller than the modelled one, with its traffic divided alike.
 * 3. Windows are divided by `compression` (rounded up to whole ms).
 * Rounding never adds capacity.
 */

export interface DocumentedLimit {
  requests?: number;
  tokens?: number;
  /** Real-time window: `1s`, `1m`, `1h`, `1d`. */
  per: string;
}

export interface ScenarioProvider {
  id: string;
  format: 'openai' | 'gemini';
  tier: 'free' | 'paid';
  /** What the limits are taken from. */
  basis: string;
  documented: DocumentedLimit[];
  /** USD per million tokens, input and output alike. */
  pricePerMillion: number;
  concurrency: number;
}

export const PAID_PRICE_PER_MILLION = 0.15;

/** The one model every scenario provider serves. */
export const SCENARIO_MODEL = 'm';

/**
 * In route order. Mistral comes first: its limit is a rate with no daily cap, so it can serve
 * every job it has room for; the two tiers with daily caps come after it, so their caps are
 * spent only on what Mistral cannot start in time (put first, they would burn their caps on
 * night traffic Mistral could have served). Groq and Cerebras were left out: their binding
 * free-tier limits are tokens per minute and per day (Groq's 6k TPM, Cerebras's 1M tokens a
 * day), which would make the offline optimum a knapsack, and scaled to this volume they would
 * add only a few dozen jobs a day.
 */
export const SCENARIO_PROVIDERS: readonly ScenarioProvider[] = [
  {
    id: 'mistral-free',
    format: 'openai',
    tier: 'free',
    basis: 'Mistral free tier: 1 request/s, 500k tokens/min (the 1B tokens/month cap is not modelled)',
    documented: [
      { requests: 1, per: '1s' },
      { tokens: 500_000, per: '1m' },
    ],
    pricePerMillion: 0,
    concurrency: 4,
  },
  {
    id: 'gemini-free',
    format: 'gemini',
    tier: 'free',
    basis: 'Gemini 2.0 Flash free tier: 15 RPM, 1,500 RPD, 1M TPM',
    documented: [
      { requests: 15, per: '1m' },
      { requests: 1_500, per: '1d' },
      { tokens: 1_000_000, per: '1m' },
    ],
    pricePerMillion: 0,
    concurrency: 4,
  },
  {
    id: 'openrouter-free',
    format: 'openai',
    tier: 'free',
    basis: 'OpenRouter :free models, account with $10 of credits: 20 RPM, 1,000 RPD',
    documented: [
      { requests: 20, per: '1m' },
      { requests: 1_000, per: '1d' },
    ],
    pricePerMillion: 0,
    concurrency: 4,
  },
  {
    id: 'paid',
    format: 'openai',
    tier: 'paid',
    basis: 'a paid provider at $0.15 per million tokens, no limits',
    documented: [],
    pricePerMillion: PAID_PRICE_PER_MILLION,
    concurrency: 16,
  },
];

/**
 * The provider whose requests fail during the peak, and how: the simulator draws once per call
 * from mulberry32(seed) and fails the call when the draw is under `share` (503, "overloaded").
 */
export const FAILING_PROVIDER = { id: 'mistral-free', share: 0.12, kind: 'unavailable' as const, seed: 18 };

export interface ScaleOptions {
  compression: number;
  volume: number;
  /** Real-time windows shorter than this are replaced by their equivalent over it. */
  shortestWindowMs: number;
}

/** A limit as the scenario runs it (wall-clock window). */
export interface ScaledLimit {
  unit: 'requests' | 'tokens';
  max: number;
  windowMs: number;
  /** A fixed window: it resets at this offset (ms from the day's start) and every window from it. */
  resetsAtMs?: number;
}

function scaleLimit(limit: DocumentedLimit, options: ScaleOptions): ScaledLimit {
  const unit = limit.requests === undefined ? 'tokens' : 'requests';
  const count = (limit.requests ?? limit.tokens)!;
  let windowMs = parseDuration(limit.per)!;
  let max = count;
  if (windowMs < options.shortestWindowMs) {
    max = (count * options.shortestWindowMs) / windowMs;
    windowMs = options.shortestWindowMs;
  }
  return {
    unit,
    max: Math.max(1, Math.floor(max / options.volume + 1e-9)),
    windowMs: Math.ceil(windowMs / options.compression - 1e-9),
  };
}

export function scaledLimits(provider: ScenarioProvider, options: ScaleOptions): ScaledLimit[] {
  return provider.documented.map((limit) => scaleLimit(limit, options));
}

/** The shape both the simulator and the Switchyard configuration take. */
export function toConfigLimit(limit: ScaledLimit): { requests?: number; tokens?: number; per: string } {
  return limit.unit === 'requests'
    ? { requests: limit.max, per: `${limit.windowMs}ms` }
    : { tokens: limit.max, per: `${limit.windowMs}ms` };
}

/** `10 requests / 1,667 ms` */
export function describeLimit(limit: ScaledLimit): string {
  return `${limit.max.toLocaleString('en-US')} ${limit.unit} / ${limit.windowMs.toLocaleString('en-US')} ms`;
}
