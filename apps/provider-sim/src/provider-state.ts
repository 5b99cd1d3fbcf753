import type { IncomingMessage, ServerResponse } from 'node:http';
import { DailyCounter } from './daily-counter.ts';
import { RateLimiter, type ResolvedLimit } from './rate-limiter.ts';
import { RequestLog } from './request-log.ts';
import {
  FAILURE_KINDS,
  type FailureKind,
  type SimModel,
  type SimProviderConfig,
  toMilliseconds,
} from './sim-config.ts';
import type { WireFormat } from './wire/wire-format.ts';
import { WIRE_FORMAT_BY_KIND } from './wire/wire-formats.ts';

/** One HTTP request addressed to this provider, body already read. */
export interface ProviderCall {
  method: string;
  /** The path after `/{providerId}`, without the query string. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
  request: IncomingMessage;
  response: ServerResponse;
  /** The counters of the key the call carries, once checked (`checkApiKey`); absent: the provider's own. */
  account?: KeyAccount;
}

/** The limits' windows and the daily cap of one key (the provider's own, or one of `apiKeys`). */
export interface KeyAccount {
  readonly limiter: RateLimiter;
  readonly daily: DailyCounter;
}

export interface InFlight {
  /** When the answer is due; undefined for a request that is never answered. */
  endsAt: number | undefined;
}

export interface ProviderCounters {
  requests: number;
  succeeded: number;
  rateLimited: number;
  clientErrors: number;
  outages: number;
  maxInFlight: number;
  failuresInjected: Record<FailureKind, number>;
}

/**
 * What the modules of one simulated provider share. It is one mutable object rather than
 * copies handed to each module because a runtime patch swaps the config, wire format and
 * models, and a reset swaps the counters: every module must see the change at once.
 */
export interface ProviderState {
  config: SimProviderConfig;
  format: WireFormat;
  models: Map<string, SimModel>;
  counters: ProviderCounters;
  /** Turned into each answer's format-specific id. */
  sequence: number;
  readonly limiter: RateLimiter;
  /** Successful requests today, for `dailyCap` (the format, and so the day's zone, never changes). */
  readonly daily: DailyCounter;
  /** The counters of each key (or account) of `apiKeys`, made when first used. */
  readonly accounts: Map<string, KeyAccount>;
  readonly log: RequestLog;
  readonly inFlight: Set<InFlight>;
  readonly now: () => number;
  /** The limits as last applied, for the counters of keys made later. */
  resolvedLimits: ResolvedLimit[];
  /** When the simulator started: scheduled outages count from here. */
  readonly startedAt: number;
}

export function createProviderState(
  config: SimProviderConfig,
  clock: { now: () => number; startedAt: number },
): ProviderState {
  const state: ProviderState = {
    config,
    format: WIRE_FORMAT_BY_KIND[config.format],
    models: new Map(),
    counters: createCounters(0),
    sequence: 0,
    limiter: new RateLimiter([]),
    daily: new DailyCounter(config.format),
    accounts: new Map(),
    log: new RequestLog(),
    inFlight: new Set(),
    resolvedLimits: [],
    now: clock.now,
    startedAt: clock.startedAt,
  };
  applyConfig(state);
  return state;
}

/** Zeroed counters; `maxInFlight` starts at what is still in flight, since a reset keeps those requests. */
export function createCounters(maxInFlight: number): ProviderCounters {
  return {
    requests: 0,
    succeeded: 0,
    rateLimited: 0,
    clientErrors: 0,
    outages: 0,
    maxInFlight,
    failuresInjected: Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, 0])) as Record<
      FailureKind,
      number
    >,
  };
}

/** Rebuilds what derives from the config (wire format, model table, limits) after it changes. */
export function applyConfig(state: ProviderState): void {
  state.format = WIRE_FORMAT_BY_KIND[state.config.format];
  state.models = new Map(state.config.models.map((model) => [model.name, model]));
  const limits: ResolvedLimit[] = [];
  for (const limit of state.config.limits ?? []) {
    const perMs = toMilliseconds(limit.per)!;
    const fixed = limit.resetsAt === undefined ? {} : { resetsAt: limit.resetsAt };
    if (limit.requests !== undefined)
      limits.push({ metric: 'requests', limit: limit.requests, perMs, ...fixed });
    if (limit.tokens !== undefined) limits.push({ metric: 'tokens', limit: limit.tokens, perMs, ...fixed });
  }
  state.limiter.setLimits(limits);
  for (const account of state.accounts.values()) account.limiter.setLimits(limits);
  state.resolvedLimits = limits;
}

/** The counters a call is held to: its key's, or the provider's own. */
export function accountOf(state: ProviderState, call: ProviderCall): KeyAccount {
  return call.account ?? state;
}

/** The counters of one key or account of `apiKeys`, made on first use with the provider's limits. */
export function keyAccount(state: ProviderState, name: string): KeyAccount {
  let account = state.accounts.get(name);
  if (!account) {
    account = {
      limiter: new RateLimiter(state.resolvedLimits),
      daily: new DailyCounter(state.config.format),
    };
    state.accounts.set(name, account);
  }
  return account;
}
