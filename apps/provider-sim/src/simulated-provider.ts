import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRandom } from './create-random.ts';
import { RateLimiter, type ResolvedLimit } from './rate-limiter.ts';
import { RequestLog, type RequestLogEntry, type RequestOutcome } from './request-log.ts';
import { sampleLatency } from './sample-latency.ts';
import {
  applyProviderPatch,
  type DownMode,
  FAILURE_KINDS,
  type FailureKind,
  type SimModel,
  type SimProviderConfig,
  toMilliseconds,
} from './sim-config.ts';
import { type Summary, summarize, truncateSummary } from './summarize.ts';
import type { Answer, ChatCall, Route, SimError, WireFormat, WireResponse } from './wire/wire-format.ts';
import { WIRE_FORMAT_BY_KIND } from './wire/wire-formats.ts';

/** Output budget when a request sets no max_tokens. */
export const DEFAULT_MAX_TOKENS = 256;

export interface ProviderStats {
  id: string;
  format: SimProviderConfig['format'];
  /** Completion requests received (model listings are not counted). */
  requests: number;
  /** Well-formed 200 answers that were not an injected failure. */
  succeeded: number;
  /** Every 429 sent: limits, concurrency and injected. */
  rateLimited: number;
  failuresInjected: Record<FailureKind, number>;
  /** 4xx other than 429: bad key, unknown model, bad JSON, context too long. */
  clientErrors: number;
  /** Requests that met a provider taken down (`down`) or a scheduled outage. */
  outages: number;
  inFlight: number;
  maxInFlight: number;
  log: RequestLogEntry[];
}

/** One HTTP request addressed to this provider, body already read. */
export interface ProviderCall {
  method: string;
  /** The path after `/{providerId}`, without the query string. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
  request: IncomingMessage;
  response: ServerResponse;
}

interface InFlight {
  /** When the answer is due; undefined for a request that is never answered. */
  endsAt: number | undefined;
}

type FailureCounters = Record<FailureKind, number>;

const emptyFailures = (): FailureCounters =>
  Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, 0])) as FailureCounters;

const INJECTED_OUTCOME: Record<FailureKind, RequestOutcome> = {
  rateLimited: 'injected_rate_limited',
  serverError: 'injected_server_error',
  unavailable: 'injected_unavailable',
  timeout: 'injected_timeout',
  malformed: 'injected_malformed',
  truncated: 'injected_truncated',
  networkReset: 'injected_network_reset',
};

/** How long an injected 429 asks the client to wait. */
const INJECTED_RETRY_AFTER_MS = 1000;

/**
 * One simulated provider: its config, exact sliding-window limits, concurrency,
 * seeded failures and latency, and its counters. Request handling is synchronous
 * up to the point where an answer is written (at once, or after the drawn latency).
 */
export class SimulatedProvider {
  private config: SimProviderConfig;
  private format: WireFormat;
  private models = new Map<string, SimModel>();
  private readonly limiter = new RateLimiter([]);
  private readonly now: () => number;
  private readonly startedAt: number;
  private failureRandom: () => number = Math.random;
  private latencyRandom: () => number = Math.random;
  private readonly log = new RequestLog();
  private readonly inFlight = new Set<InFlight>();
  private sequence = 0;
  private counters = {
    requests: 0,
    succeeded: 0,
    rateLimited: 0,
    clientErrors: 0,
    outages: 0,
    maxInFlight: 0,
    failuresInjected: emptyFailures(),
  };

  constructor(config: SimProviderConfig, clock: { now: () => number; startedAt: number }) {
    this.config = config;
    this.format = WIRE_FORMAT_BY_KIND[config.format];
    this.now = clock.now;
    this.startedAt = clock.startedAt;
    this.applyConfig();
    this.seedRandom();
  }

  get id(): string {
    return this.config.id;
  }

  get kind(): SimProviderConfig['format'] {
    return this.config.format;
  }

  /** A deep copy of the current configuration. */
  currentConfig(): SimProviderConfig {
    return structuredClone(this.config);
  }

  /** Applies a runtime patch (validated; top-level keys replace, null removes). */
  configure(patch: unknown): SimProviderConfig {
    const previousSeed = this.config.seed;
    this.config = applyProviderPatch(this.config, patch);
    this.applyConfig();
    if (this.config.seed !== previousSeed) this.seedRandom();
    return this.currentConfig();
  }

  /** Clears counters, windows and the log, and reseeds the RNGs. Requests in flight stay in flight. */
  reset(): void {
    this.limiter.clear();
    this.log.clear();
    this.sequence = 0;
    this.counters = {
      requests: 0,
      succeeded: 0,
      rateLimited: 0,
      clientErrors: 0,
      outages: 0,
      maxInFlight: this.inFlight.size,
      failuresInjected: emptyFailures(),
    };
    this.seedRandom();
  }

  stats(logLimit?: number): ProviderStats {
    return {
      id: this.config.id,
      format: this.config.format,
      requests: this.counters.requests,
      succeeded: this.counters.succeeded,
      rateLimited: this.counters.rateLimited,
      failuresInjected: { ...this.counters.failuresInjected },
      clientErrors: this.counters.clientErrors,
      outages: this.counters.outages,
      inFlight: this.inFlight.size,
      maxInFlight: this.counters.maxInFlight,
      log: this.log.toArray(logLimit),
    };
  }

  handle(call: ProviderCall): void {
    const route = this.format.route(call.method, call.path);
    if (route && route.kind !== 'generate') {
      this.handleModels(call, route);
      return;
    }

    const now = this.now();
    this.counters.requests += 1;
    const jobHeader = call.request.headers['x-switchyard-job-id'];
    const entry: RequestLogEntry = {
      at: now,
      model: null,
      status: 0,
      outcome: 'ok',
      inputTokens: 0,
      outputTokens: 0,
      latencyMs: 0,
      jobId: typeof jobHeader === 'string' ? jobHeader : null,
    };

    const down = this.downMode(now);
    if (down) {
      this.counters.outages += 1;
      this.goDown(call, down.mode, entry, down.outcome);
      return;
    }
    if (!route) {
      this.reject(call, { kind: 'unknown-route', method: call.method, path: call.path }, entry, 'not_found');
      return;
    }
    const authError = this.checkKey(call);
    if (authError) {
      this.reject(call, authError, entry, 'unauthorized');
      return;
    }

    let json: unknown;
    try {
      json = JSON.parse(call.body.toString('utf8'));
    } catch (error) {
      this.reject(call, { kind: 'bad-json', detail: (error as Error).message }, entry, 'bad_request');
      return;
    }
    const parsed = this.format.parseCall(json, route);
    if ('kind' in parsed) {
      this.reject(call, parsed, entry, 'bad_request');
      return;
    }
    entry.model = parsed.model;
    entry.inputTokens = parsed.inputTokens;

    const model = this.models.get(parsed.model);
    if (!model) {
      this.reject(call, { kind: 'unknown-model', model: parsed.model }, entry, 'not_found');
      return;
    }
    if (parsed.inputTokens + (parsed.maxTokens ?? 1) > model.contextWindow) {
      const error: SimError = {
        kind: 'context-length',
        inputTokens: parsed.inputTokens,
        maxTokens: parsed.maxTokens,
        contextWindow: model.contextWindow,
      };
      this.reject(call, error, entry, 'context_length_exceeded');
      return;
    }
    this.admit(call, parsed, model, entry, now);
  }

  private admit(
    call: ProviderCall,
    parsed: ChatCall,
    model: SimModel,
    entry: RequestLogEntry,
    now: number,
  ): void {
    const concurrency = this.config.concurrency;
    if (concurrency !== undefined && this.inFlight.size >= concurrency) {
      const error: SimError = {
        kind: 'rate-limited',
        cause: 'concurrency',
        model: parsed.model,
        metric: 'requests',
        limit: concurrency,
        retryAfterMs: this.timeUntilSlotFrees(now),
      };
      this.reject(call, error, entry, 'concurrency_limited');
      return;
    }

    const budget = parsed.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, model.contextWindow - parsed.inputTokens);
    let summary: Summary = summarize(parsed.userText, budget);
    const reservedOutput = this.config.tokenAccounting === 'max-tokens' ? budget : summary.outputTokens;
    const rejection = this.limiter.check(now, parsed.inputTokens + reservedOutput);
    if (rejection) {
      const error: SimError = { kind: 'rate-limited', cause: 'limit', model: parsed.model, ...rejection };
      this.reject(call, error, entry, 'rate_limited');
      return;
    }

    const failure = this.drawFailure();
    if (failure) {
      this.counters.failuresInjected[failure] += 1;
      entry.outcome = INJECTED_OUTCOME[failure];
    }
    if (failure === 'rateLimited') {
      this.counters.rateLimited += 1;
      const error: SimError = {
        kind: 'rate-limited',
        cause: 'injected',
        model: parsed.model,
        metric: 'requests',
        retryAfterMs: INJECTED_RETRY_AFTER_MS,
      };
      this.send(call, this.format.renderError(error, this.limiter.snapshot(now), now), entry);
      return;
    }
    if (failure === 'networkReset') {
      this.log.push(entry);
      call.request.socket.destroy();
      return;
    }
    if (failure === 'truncated') summary = truncateSummary(summary, budget);
    const consumesQuota = failure === undefined || failure === 'malformed' || failure === 'truncated';
    if (consumesQuota) {
      const reserved = this.config.tokenAccounting === 'max-tokens' ? budget : summary.outputTokens;
      this.limiter.commit(now, parsed.inputTokens + reserved);
      entry.outputTokens = summary.outputTokens;
    }
    this.process(call, parsed, summary, failure, entry, now);
  }

  /** An admitted request: in flight for its drawn latency, then answered (or held, for a timeout). */
  private process(
    call: ProviderCall,
    parsed: ChatCall,
    summary: Summary,
    failure: FailureKind | undefined,
    entry: RequestLogEntry,
    now: number,
  ): void {
    const latencyMs = failure === 'timeout' ? 0 : sampleLatency(this.config.latency, this.latencyRandom);
    entry.latencyMs = latencyMs;
    const slot: InFlight = { endsAt: failure === 'timeout' ? undefined : now + latencyMs };
    this.inFlight.add(slot);
    if (this.inFlight.size > this.counters.maxInFlight) this.counters.maxInFlight = this.inFlight.size;
    let timer: NodeJS.Timeout | undefined;
    const release = () => {
      this.inFlight.delete(slot);
      if (timer) clearTimeout(timer);
    };
    if (failure === 'timeout') {
      this.log.push(entry);
      call.response.once('close', release);
      return;
    }
    const answerNow = () => {
      timer = undefined;
      const quota = this.limiter.snapshot(this.now());
      if (failure === 'serverError' || failure === 'unavailable') {
        const error: SimError = { kind: failure === 'serverError' ? 'server-error' : 'unavailable' };
        this.send(call, this.format.renderError(error, quota, this.now()), entry);
      } else {
        this.sequence += 1;
        const answer: Answer = {
          sequence: this.sequence,
          created: Math.floor(now / 1000),
          model: parsed.model,
          text: summary.text,
          inputTokens: parsed.inputTokens,
          outputTokens: summary.outputTokens,
          finish: summary.reachedMaxTokens ? 'length' : 'stop',
        };
        if (failure === undefined) {
          this.counters.succeeded += 1;
          if (parsed.stream) entry.outcome = 'stream';
        }
        if (parsed.stream) this.sendStream(call, answer, parsed, failure === 'malformed', entry);
        else this.sendAnswer(call, answer, failure === 'malformed', entry);
      }
      release();
    };
    if (latencyMs <= 0) {
      answerNow();
      return;
    }
    timer = setTimeout(answerNow, latencyMs);
    call.response.once('close', release);
  }

  private sendAnswer(call: ProviderCall, answer: Answer, malformed: boolean, entry: RequestLogEntry): void {
    const rendered = this.format.renderAnswer(answer, this.limiter.snapshot(this.now()), this.now());
    if (malformed) rendered.body = rendered.body.slice(0, Math.floor(rendered.body.length / 2));
    this.send(call, rendered, entry);
  }

  private sendStream(
    call: ProviderCall,
    answer: Answer,
    parsed: ChatCall,
    malformed: boolean,
    entry: RequestLogEntry,
  ) {
    const now = this.now();
    const stream = this.format.renderStream(answer, this.limiter.snapshot(now), now, parsed);
    let chunks = stream.chunks;
    if (malformed) {
      const keep = Math.floor(chunks.length / 2);
      const cut = chunks[keep] ?? '';
      chunks = [...chunks.slice(0, keep), cut.slice(0, Math.floor(cut.length / 2))];
    }
    entry.status = 200;
    this.log.push(entry);
    call.response.writeHead(200, stream.headers);
    for (const chunk of chunks) call.response.write(chunk);
    call.response.end();
  }

  private handleModels(call: ProviderCall, route: Exclude<Route, { kind: 'generate' }>): void {
    const down = this.downMode(this.now());
    if (down) {
      this.goDown(call, down.mode, undefined, down.outcome);
      return;
    }
    const authError = this.checkKey(call);
    if (authError) {
      this.write(call, this.format.renderError(authError, {}, this.now()));
      return;
    }
    if (route.kind === 'list-models') {
      this.write(call, this.format.renderModels(this.config.models));
      return;
    }
    const model = this.models.get(route.model);
    const rendered = model
      ? this.format.renderModel(model)
      : this.format.renderError({ kind: 'unknown-model', model: route.model }, {}, this.now());
    this.write(call, rendered);
  }

  private checkKey(call: ProviderCall): SimError | undefined {
    const expected = this.config.apiKey;
    if (expected === undefined) return undefined;
    const key = this.format.readApiKey(call.request.headers, call.query);
    if (key === undefined || key === '') return { kind: 'missing-key' };
    return key === expected ? undefined : { kind: 'bad-key', key };
  }

  private reject(call: ProviderCall, error: SimError, entry: RequestLogEntry, outcome: RequestOutcome): void {
    entry.outcome = outcome;
    if (error.kind === 'rate-limited') this.counters.rateLimited += 1;
    else this.counters.clientErrors += 1;
    const now = this.now();
    this.send(call, this.format.renderError(error, this.limiter.snapshot(now), now), entry);
  }

  private send(call: ProviderCall, rendered: WireResponse, entry: RequestLogEntry): void {
    entry.status = rendered.status;
    this.log.push(entry);
    this.write(call, rendered);
  }

  private write(call: ProviderCall, rendered: WireResponse): void {
    const { response } = call;
    if (response.destroyed || response.writableEnded) return;
    rendered.headers['content-length'] = String(Buffer.byteLength(rendered.body));
    response.writeHead(rendered.status, rendered.headers);
    response.end(rendered.body);
  }

  private goDown(
    call: ProviderCall,
    mode: DownMode,
    entry: RequestLogEntry | undefined,
    outcome: RequestOutcome,
  ) {
    if (entry) entry.outcome = outcome;
    if (mode === 'unavailable') {
      const rendered = this.format.renderError({ kind: 'unavailable' }, {}, this.now());
      if (entry) return this.send(call, rendered, entry);
      return this.write(call, rendered);
    }
    if (entry) this.log.push(entry);
    // 'timeout': never answer; the socket is held until the client gives up or the simulator closes.
    if (mode === 'reset') call.request.socket.destroy();
  }

  private downMode(now: number): { mode: DownMode; outcome: RequestOutcome } | undefined {
    if (this.config.down) return { mode: this.config.down, outcome: 'down' };
    const outages = this.config.outages;
    if (!outages) return undefined;
    const elapsed = now - this.startedAt;
    for (const outage of outages) {
      const after = toMilliseconds(outage.afterMs) ?? 0;
      const duration = toMilliseconds(outage.durationMs) ?? 0;
      if (elapsed >= after && elapsed < after + duration) return { mode: outage.mode, outcome: 'outage' };
    }
    return undefined;
  }

  private drawFailure(): FailureKind | undefined {
    const failures = this.config.failures;
    if (!failures) return undefined;
    const draw = this.failureRandom();
    let cumulative = 0;
    for (const kind of FAILURE_KINDS) {
      cumulative += failures[kind] ?? 0;
      if (draw < cumulative) return kind;
    }
    return undefined;
  }

  /** Until the earliest answer in flight is due; undefined when every request in flight is held. */
  private timeUntilSlotFrees(now: number): number | undefined {
    let earliest: number | undefined;
    for (const slot of this.inFlight) {
      if (slot.endsAt !== undefined && (earliest === undefined || slot.endsAt < earliest))
        earliest = slot.endsAt;
    }
    return earliest === undefined ? undefined : Math.max(1, earliest - now);
  }

  private applyConfig(): void {
    this.format = WIRE_FORMAT_BY_KIND[this.config.format];
    this.models = new Map(this.config.models.map((model) => [model.name, model]));
    const limits: ResolvedLimit[] = [];
    for (const limit of this.config.limits ?? []) {
      const perMs = toMilliseconds(limit.per)!;
      if (limit.requests !== undefined) limits.push({ metric: 'requests', limit: limit.requests, perMs });
      if (limit.tokens !== undefined) limits.push({ metric: 'tokens', limit: limit.tokens, perMs });
    }
    this.limiter.setLimits(limits);
  }

  private seedRandom(): void {
    const seed = this.config.seed ?? 1;
    this.failureRandom = createRandom(seed);
    this.latencyRandom = createRandom(seed ^ 0x9e3779b9);
  }
}
