import { parseDuration } from '@switchyard/config';

export const WIRE_FORMATS = ['openai', 'anthropic', 'gemini'] as const;
export type WireFormatKind = (typeof WIRE_FORMATS)[number];

export const DOWN_MODES = ['unavailable', 'timeout', 'reset', 'rate_limited'] as const;
/**
 * How a provider that is down answers: 503 (529 on anthropic), never, a reset socket, or
 * `rate_limited`: it refuses every call with its format's 429 and `Retry-After: 1`.
 */
export type DownMode = (typeof DOWN_MODES)[number];

/** Injected failures, in the order one uniform draw is mapped onto them. */
export const FAILURE_KINDS = [
  'rateLimited',
  'serverError',
  'unavailable',
  'timeout',
  'malformed',
  'truncated',
  'networkReset',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
/** Probability (0..1) of each injected failure; their sum must not exceed 1. */
export type SimFailures = Partial<Record<FailureKind, number>>;

export interface SimModel {
  name: string;
  contextWindow: number;
}

/**
 * `requests` and/or `tokens` admitted per sliding window of `per` (`'1m'`, `'1d'` or
 * milliseconds), or with `resetsAt` (epoch ms) per fixed window: the count starts again at
 * `resetsAt` and every `per` before and after it.
 */
export interface SimLimit {
  requests?: number;
  tokens?: number;
  per: string | number;
  resetsAt?: number;
}

export type SimLatency =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; p99Ms: number };

/** A scheduled outage, relative to the simulator's start (milliseconds or `'10s'`). */
export interface SimOutage {
  afterMs: number | string;
  durationMs: number | string;
  mode: DownMode;
}

/**
 * How tokens count against token limits: `usage` (default) = input + output of the
 * answer given; `max-tokens` = input + the request's max_tokens (how OpenAI estimates).
 */
export type TokenAccounting = 'usage' | 'max-tokens';

export const DAILY_CAP_ANSWERS = ['daily-limit', 'insufficient-quota'] as const;

/**
 * Successful requests a calendar day allows (the day of the provider: midnight
 * America/Los_Angeles for gemini, UTC otherwise); once spent, every call gets the format's
 * quota-exhausted answer until the day turns. `answer` (openai only): `daily-limit` (default,
 * Groq's 429 "on requests per day (RPD)" with the spent `x-ratelimit-*-requests` headers) or
 * `insufficient-quota` (OpenAI's billing 429, which no wait cures).
 */
export interface SimDailyCap {
  requests: number;
  answer?: (typeof DAILY_CAP_ANSWERS)[number];
}

export interface SimProviderConfig {
  id: string;
  format: WireFormatKind;
  /** When set, requests must carry it (Bearer / x-api-key / x-goog-api-key or ?key=). */
  apiKey?: string;
  /**
   * More keys the provider accepts, each counted on its own (its own limit windows and daily
   * cap), as providers that count per key do, or with the other keys of its `account` (one
   * project, one account); `apiKey`'s calls keep the provider's counters.
   */
  apiKeys?: Array<string | { key: string; account: string }>;
  models: SimModel[];
  limits?: SimLimit[];
  /** Requests in flight above this get 429. */
  concurrency?: number;
  /** Default: none, answers are written synchronously. */
  latency?: SimLatency;
  failures?: SimFailures;
  outages?: SimOutage[];
  down?: false | DownMode;
  /** Seed of the failure and latency RNG (mulberry32). Default 1. */
  seed?: number;
  tokenAccounting?: TokenAccounting;
  dailyCap?: SimDailyCap;
}

/** A runtime change: top-level keys replace, `null` removes (back to the default). */
export type SimProviderPatch = {
  [Key in Exclude<keyof SimProviderConfig, 'id' | 'format'>]?: SimProviderConfig[Key] | null;
};

export class SimConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid provider-sim configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SimConfigError';
    this.problems = problems;
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const KNOWN_KEYS = new Set([
  'id',
  'format',
  'apiKey',
  'apiKeys',
  'models',
  'limits',
  'concurrency',
  'latency',
  'failures',
  'outages',
  'down',
  'seed',
  'tokenAccounting',
  'dailyCap',
]);

type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNumber(
  value: unknown,
  path: string,
  problems: Problems,
  options: { min?: number; integer?: boolean; max?: number },
) {
  const { min = 0, max = Number.POSITIVE_INFINITY, integer = false } = options;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in ${min}..${max}`;
    problems.push(
      `${path}: expected ${integer ? 'an integer' : 'a number'} ${range}, got ${JSON.stringify(value)}`,
    );
  }
}

/** Milliseconds from a number or a duration string (`'500ms'`, `'1m'`, `'1d'`). */
export function toMilliseconds(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string') return parseDuration(value);
  return undefined;
}

function checkDuration(value: unknown, path: string, problems: Problems, minimum: number): void {
  const ms = typeof value === 'number' || typeof value === 'string' ? toMilliseconds(value) : undefined;
  if (ms === undefined || ms < minimum) {
    problems.push(
      `${path}: expected milliseconds >= ${minimum} or a duration like '10s', got ${JSON.stringify(value)}`,
    );
  }
}

function checkLimits(value: unknown, path: string, problems: Problems): void {
  if (!Array.isArray(value)) {
    problems.push(`${path}: expected an array`);
    return;
  }
  for (const [index, limit] of value.entries()) {
    const at = `${path}[${index}]`;
    if (!isRecord(limit)) {
      problems.push(`${at}: expected an object`);
      continue;
    }
    if (limit.requests === undefined && limit.tokens === undefined)
      problems.push(`${at}: set requests and/or tokens`);
    if (limit.requests !== undefined)
      checkNumber(limit.requests, `${at}.requests`, problems, { min: 1, integer: true });
    if (limit.tokens !== undefined)
      checkNumber(limit.tokens, `${at}.tokens`, problems, { min: 1, integer: true });
    checkDuration(limit.per, `${at}.per`, problems, 1);
    if (limit.resetsAt !== undefined)
      checkNumber(limit.resetsAt, `${at}.resetsAt`, problems, { integer: true });
  }
}

function checkLatency(value: unknown, path: string, problems: Problems): void {
  if (!isRecord(value))
    return void problems.push(`${path}: expected an object with kind fixed|uniform|lognormal`);
  switch (value.kind) {
    case 'fixed':
      checkNumber(value.ms, `${path}.ms`, problems, {});
      return;
    case 'uniform':
      checkNumber(value.minMs, `${path}.minMs`, problems, {});
      checkNumber(value.maxMs, `${path}.maxMs`, problems, {});
      if (typeof value.minMs === 'number' && typeof value.maxMs === 'number' && value.maxMs < value.minMs) {
        problems.push(`${path}: maxMs must be >= minMs`);
      }
      return;
    case 'lognormal':
      checkNumber(value.medianMs, `${path}.medianMs`, problems, { min: Number.MIN_VALUE });
      checkNumber(value.p99Ms, `${path}.p99Ms`, problems, { min: Number.MIN_VALUE });
      if (
        typeof value.medianMs === 'number' &&
        typeof value.p99Ms === 'number' &&
        value.p99Ms < value.medianMs
      ) {
        problems.push(`${path}: p99Ms must be >= medianMs`);
      }
      return;
    default:
      problems.push(`${path}.kind: expected fixed|uniform|lognormal, got ${JSON.stringify(value.kind)}`);
  }
}

function checkFailures(value: unknown, path: string, problems: Problems): void {
  if (!isRecord(value)) return void problems.push(`${path}: expected an object of probabilities`);
  let sum = 0;
  for (const [key, probability] of Object.entries(value)) {
    if (!(FAILURE_KINDS as readonly string[]).includes(key)) {
      problems.push(`${path}.${key}: unknown failure (expected one of ${FAILURE_KINDS.join(', ')})`);
      continue;
    }
    checkNumber(probability, `${path}.${key}`, problems, { min: 0, max: 1 });
    if (typeof probability === 'number') sum += probability;
  }
  if (sum > 1 + 1e-9) problems.push(`${path}: probabilities add up to ${sum}, more than 1`);
}

function checkOutages(value: unknown, path: string, problems: Problems): void {
  if (!Array.isArray(value)) return void problems.push(`${path}: expected an array`);
  for (const [index, outage] of value.entries()) {
    const at = `${path}[${index}]`;
    if (!isRecord(outage)) {
      problems.push(`${at}: expected an object`);
      continue;
    }
    checkDuration(outage.afterMs, `${at}.afterMs`, problems, 0);
    checkDuration(outage.durationMs, `${at}.durationMs`, problems, 1);
    if (!(DOWN_MODES as readonly unknown[]).includes(outage.mode)) {
      problems.push(`${at}.mode: expected ${DOWN_MODES.join('|')}, got ${JSON.stringify(outage.mode)}`);
    }
  }
}

function checkModels(value: unknown, path: string, problems: Problems): void {
  if (!Array.isArray(value) || value.length === 0)
    return void problems.push(`${path}: expected a non-empty array`);
  for (const [index, model] of value.entries()) {
    const at = `${path}[${index}]`;
    if (!isRecord(model)) {
      problems.push(`${at}: expected an object`);
      continue;
    }
    if (typeof model.name !== 'string' || model.name.length === 0)
      problems.push(`${at}.name: expected a string`);
    checkNumber(model.contextWindow, `${at}.contextWindow`, problems, { min: 1, integer: true });
  }
}

function collectProblems(input: Record<string, unknown>, path: string): Problems {
  const problems: Problems = [];
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) problems.push(`${path}.${key}: unknown setting`);
  }
  if (typeof input.id !== 'string' || !ID.test(input.id)) {
    problems.push(
      `${path}.id: expected letters, digits, '.', '_' or '-' (not starting with '_'), got ${JSON.stringify(input.id)}`,
    );
  }
  if (!(WIRE_FORMATS as readonly unknown[]).includes(input.format)) {
    problems.push(`${path}.format: expected ${WIRE_FORMATS.join('|')}, got ${JSON.stringify(input.format)}`);
  }
  if (input.apiKey !== undefined && (typeof input.apiKey !== 'string' || input.apiKey.length === 0)) {
    problems.push(`${path}.apiKey: expected a non-empty string`);
  }
  if (
    input.apiKeys !== undefined &&
    !(
      Array.isArray(input.apiKeys) &&
      input.apiKeys.every((entry) =>
        typeof entry === 'string'
          ? entry.length > 0
          : typeof entry?.key === 'string' && entry.key.length > 0 && typeof entry.account === 'string',
      )
    )
  ) {
    problems.push(`${path}.apiKeys: expected an array of non-empty strings or { key, account }`);
  }
  checkModels(input.models, `${path}.models`, problems);
  if (input.limits !== undefined) checkLimits(input.limits, `${path}.limits`, problems);
  if (input.concurrency !== undefined)
    checkNumber(input.concurrency, `${path}.concurrency`, problems, { min: 1, integer: true });
  if (input.latency !== undefined) checkLatency(input.latency, `${path}.latency`, problems);
  if (input.failures !== undefined) checkFailures(input.failures, `${path}.failures`, problems);
  if (input.outages !== undefined) checkOutages(input.outages, `${path}.outages`, problems);
  if (
    input.down !== undefined &&
    input.down !== false &&
    !(DOWN_MODES as readonly unknown[]).includes(input.down)
  ) {
    problems.push(`${path}.down: expected false|${DOWN_MODES.join('|')}, got ${JSON.stringify(input.down)}`);
  }
  if (input.seed !== undefined) checkNumber(input.seed, `${path}.seed`, problems, { min: 0, integer: true });
  if (
    input.tokenAccounting !== undefined &&
    input.tokenAccounting !== 'usage' &&
    input.tokenAccounting !== 'max-tokens'
  ) {
    problems.push(
      `${path}.tokenAccounting: expected usage|max-tokens, got ${JSON.stringify(input.tokenAccounting)}`,
    );
  }
  if (input.dailyCap !== undefined) checkDailyCap(input.dailyCap, input.format, `${path}.dailyCap`, problems);
  return problems;
}

function checkDailyCap(value: unknown, format: unknown, path: string, problems: Problems): void {
  if (!isRecord(value)) return void problems.push(`${path}: expected an object { requests, answer? }`);
  checkNumber(value.requests, `${path}.requests`, problems, { min: 1, integer: true });
  if (value.answer === undefined) return;
  if (!(DAILY_CAP_ANSWERS as readonly unknown[]).includes(value.answer)) {
    problems.push(
      `${path}.answer: expected ${DAILY_CAP_ANSWERS.join('|')}, got ${JSON.stringify(value.answer)}`,
    );
  } else if (value.answer === 'insufficient-quota' && format !== 'openai') {
    problems.push(`${path}.answer: insufficient-quota is an openai answer`);
  }
}

/** Checks a provider config and returns it typed; throws SimConfigError listing every problem. */
export function validateProviderConfig(input: unknown, path = 'provider'): SimProviderConfig {
  if (!isRecord(input)) throw new SimConfigError([`${path}: expected an object`]);
  const problems = collectProblems(input, path);
  if (problems.length > 0) throw new SimConfigError(problems);
  return structuredClone(input) as unknown as SimProviderConfig;
}

/** Applies a patch (top-level keys replace, null removes) and validates the result. */
export function applyProviderPatch(config: SimProviderConfig, patch: unknown): SimProviderConfig {
  if (!isRecord(patch)) throw new SimConfigError(['patch: expected an object']);
  const problems: Problems = [];
  if (patch.id !== undefined && patch.id !== config.id) problems.push('patch.id: the id cannot change');
  if (patch.format !== undefined && patch.format !== config.format)
    problems.push('patch.format: the format cannot change');
  if (problems.length > 0) throw new SimConfigError(problems);
  const merged: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return validateProviderConfig(merged, `provider ${config.id}`);
}
