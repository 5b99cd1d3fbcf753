import { checkApiKey } from './check-api-key.ts';
import { decideReply, type Reply } from './decide-reply.ts';
import { createFailureInjection, type FailureInjection } from './failure-injection.ts';
import { createProviderResponder, type ProviderResponder } from './provider-responder.ts';
import {
  accountOf,
  applyConfig,
  createCounters,
  createProviderState,
  type InFlight,
  type ProviderCall,
  type ProviderState,
} from './provider-state.ts';
import type { RequestLogEntry } from './request-log.ts';
import { applyProviderPatch, type FailureKind, type SimModel, type SimProviderConfig } from './sim-config.ts';
import { truncateSummary } from './summarize.ts';
import type { Answer, ChatCall, SimError } from './wire/wire-format.ts';

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

/**
 * One simulated provider: its config, exact sliding-window limits, concurrency,
 * seeded failures and latency, and its counters. Request handling is synchronous
 * up to the point where an answer is written (at once, or after the drawn latency).
 * This class decides what happens to a request; writing responses and drawing
 * failures live in their own modules over the shared ProviderState.
 */
export class SimulatedProvider {
  private readonly state: ProviderState;
  private readonly responder: ProviderResponder;
  private readonly failures: FailureInjection;

  constructor(config: SimProviderConfig, clock: { now: () => number; startedAt: number }) {
    this.state = createProviderState(config, clock);
    this.responder = createProviderResponder(this.state);
    this.failures = createFailureInjection(this.state, this.responder);
  }

  get id(): string {
    return this.state.config.id;
  }

  get kind(): SimProviderConfig['format'] {
    return this.state.config.format;
  }

  /** A deep copy of the current configuration. */
  currentConfig(): SimProviderConfig {
    return structuredClone(this.state.config);
  }

  /** Applies a runtime patch (validated; top-level keys replace, null removes). */
  configure(patch: unknown): SimProviderConfig {
    const previousSeed = this.state.config.seed;
    this.state.config = applyProviderPatch(this.state.config, patch);
    applyConfig(this.state);
    if (this.state.config.seed !== previousSeed) this.failures.reseed();
    return this.currentConfig();
  }

  /** Clears counters, windows, the daily cap and the log, and reseeds the RNGs. Requests in flight stay in flight. */
  reset(): void {
    this.state.limiter.clear();
    this.state.daily.clear();
    this.state.accounts.clear();
    this.state.log.clear();
    this.state.sequence = 0;
    this.state.counters = createCounters(this.state.inFlight.size);
    this.failures.reseed();
  }

  stats(logLimit?: number): ProviderStats {
    const { config, counters } = this.state;
    return {
      id: config.id,
      format: config.format,
      requests: counters.requests,
      succeeded: counters.succeeded,
      rateLimited: counters.rateLimited,
      failuresInjected: { ...counters.failuresInjected },
      clientErrors: counters.clientErrors,
      outages: counters.outages,
      inFlight: this.state.inFlight.size,
      maxInFlight: counters.maxInFlight,
      log: this.state.log.toArray(logLimit),
    };
  }

  handle(call: ProviderCall): void {
    const route = this.state.format.route(call.method, call.path);
    if (route && route.kind !== 'generate') {
      // Model listings are neither counted nor logged, but a provider that is down refuses them too.
      const down = this.failures.downMode(this.state.now());
      if (down) this.failures.goDown(call, down.mode, undefined, down.outcome);
      else this.responder.handleModels(call, route);
      return;
    }

    const now = this.state.now();
    this.state.counters.requests += 1;
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

    const down = this.failures.downMode(now);
    if (down) {
      this.state.counters.outages += 1;
      this.failures.goDown(call, down.mode, entry, down.outcome);
      return;
    }
    const { reject } = this.responder;
    if (!route) {
      reject(call, { kind: 'unknown-route', method: call.method, path: call.path }, entry, 'not_found');
      return;
    }
    const authError = checkApiKey(this.state, call);
    if (authError) {
      reject(call, authError, entry, 'unauthorized');
      return;
    }

    let json: unknown;
    try {
      json = JSON.parse(call.body.toString('utf8'));
    } catch (error) {
      reject(call, { kind: 'bad-json', detail: (error as Error).message }, entry, 'bad_request');
      return;
    }
    const parsed = this.state.format.parseCall(json, route);
    if ('kind' in parsed) {
      reject(call, parsed, entry, 'bad_request');
      return;
    }
    entry.model = parsed.model;
    entry.inputTokens = parsed.inputTokens;

    const model = this.state.models.get(parsed.model);
    if (!model) {
      reject(call, { kind: 'unknown-model', model: parsed.model }, entry, 'not_found');
      return;
    }
    if (parsed.inputTokens + (parsed.maxTokens ?? 1) > model.contextWindow) {
      const error: SimError = {
        kind: 'context-length',
        inputTokens: parsed.inputTokens,
        maxTokens: parsed.maxTokens,
        contextWindow: model.contextWindow,
      };
      reject(call, error, entry, 'context_length_exceeded');
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
    const { config } = this.state;
    const { limiter, daily } = accountOf(this.state, call);
    const concurrency = config.concurrency;
    if (concurrency !== undefined && this.state.inFlight.size >= concurrency) {
      const error: SimError = {
        kind: 'rate-limited',
        cause: 'concurrency',
        model: parsed.model,
        metric: 'requests',
        limit: concurrency,
        retryAfterMs: this.timeUntilSlotFrees(now),
      };
      this.responder.reject(call, error, entry, 'concurrency_limited');
      return;
    }

    const dailyCap = config.dailyCap;
    if (dailyCap && daily.usedAt(now) >= dailyCap.requests) {
      const error: SimError = {
        kind: 'daily-cap',
        model: parsed.model,
        limit: dailyCap.requests,
        resetAt: now + daily.resetMsAt(now),
        answer: dailyCap.answer ?? 'daily-limit',
      };
      this.responder.reject(call, error, entry, 'daily_cap_spent');
      return;
    }

    const budget = parsed.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, model.contextWindow - parsed.inputTokens);
    let summary: Reply = decideReply(parsed, budget);
    const reservedOutput = config.tokenAccounting === 'max-tokens' ? budget : summary.outputTokens;
    const rejection = limiter.check(now, parsed.inputTokens + reservedOutput);
    if (rejection) {
      const error: SimError = { kind: 'rate-limited', cause: 'limit', model: parsed.model, ...rejection };
      this.responder.reject(call, error, entry, 'rate_limited');
      return;
    }

    const failure = this.failures.drawFailure(entry);
    if (failure === 'rateLimited') {
      this.failures.sendInjectedRateLimit(call, parsed.model, entry, now);
      return;
    }
    if (failure === 'networkReset') {
      this.state.log.push(entry);
      call.request.socket.destroy();
      return;
    }
    if (failure === 'truncated') summary = truncateSummary(summary, budget);
    const consumesQuota = failure === undefined || failure === 'malformed' || failure === 'truncated';
    if (consumesQuota) {
      const reserved = config.tokenAccounting === 'max-tokens' ? budget : summary.outputTokens;
      limiter.commit(now, parsed.inputTokens + reserved);
      daily.count(now);
      entry.outputTokens = summary.outputTokens;
    }
    this.process(call, parsed, summary, failure, entry, now);
  }

  /** An admitted request: in flight for its drawn latency, then answered (or held, for a timeout). */
  private process(
    call: ProviderCall,
    parsed: ChatCall,
    summary: Reply,
    failure: FailureKind | undefined,
    entry: RequestLogEntry,
    now: number,
  ): void {
    const { state, responder } = this;
    const latencyMs = failure === 'timeout' ? 0 : this.failures.drawLatencyMs();
    entry.latencyMs = latencyMs;
    const slot: InFlight = { endsAt: failure === 'timeout' ? undefined : now + latencyMs };
    state.inFlight.add(slot);
    if (state.inFlight.size > state.counters.maxInFlight) state.counters.maxInFlight = state.inFlight.size;
    let timer: NodeJS.Timeout | undefined;
    const release = () => {
      state.inFlight.delete(slot);
      if (timer) clearTimeout(timer);
    };
    if (failure === 'timeout') {
      state.log.push(entry);
      call.response.once('close', release);
      return;
    }
    const answerNow = () => {
      timer = undefined;
      const quota = accountOf(state, call).limiter.snapshot(state.now());
      if (failure === 'serverError' || failure === 'unavailable') {
        const error: SimError = { kind: failure === 'serverError' ? 'server-error' : 'unavailable' };
        responder.send(call, state.format.renderError(error, quota, state.now()), entry);
      } else {
        state.sequence += 1;
        const answer: Answer = {
          sequence: state.sequence,
          created: Math.floor(now / 1000),
          model: parsed.model,
          text: summary.text,
          inputTokens: parsed.inputTokens,
          outputTokens: summary.outputTokens,
          finish: summary.toolCalls ? 'tool_calls' : summary.reachedMaxTokens ? 'length' : 'stop',
        };
        if (summary.toolCalls) {
          answer.toolCalls = summary.toolCalls.map((toolCall, index) => ({
            id: `call_sim${state.sequence.toString(16).padStart(8, '0')}_${index}`,
            ...toolCall,
          }));
        }
        if (failure === undefined) {
          state.counters.succeeded += 1;
          if (parsed.stream) entry.outcome = 'stream';
        }
        if (parsed.stream) responder.sendStream(call, answer, parsed, failure === 'malformed', entry);
        else responder.sendAnswer(call, answer, failure === 'malformed', entry);
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

  /** Until the earliest answer in flight is due; undefined when every request in flight is held. */
  private timeUntilSlotFrees(now: number): number | undefined {
    let earliest: number | undefined;
    for (const slot of this.state.inFlight) {
      if (slot.endsAt !== undefined && (earliest === undefined || slot.endsAt < earliest))
        earliest = slot.endsAt;
    }
    return earliest === undefined ? undefined : Math.max(1, earliest - now);
  }
}
