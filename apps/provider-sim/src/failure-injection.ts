import { createRandom } from './create-random.ts';
import type { ProviderResponder } from './provider-responder.ts';
import { accountOf, type ProviderCall, type ProviderState } from './provider-state.ts';
import type { RequestLogEntry, RequestOutcome } from './request-log.ts';
import { sampleLatency } from './sample-latency.ts';
import { type DownMode, FAILURE_KINDS, type FailureKind, toMilliseconds } from './sim-config.ts';
import type { SimError } from './wire/wire-format.ts';

const INJECTED_OUTCOME: Record<FailureKind, RequestOutcome> = {
  rateLimited: 'injected_rate_limited',
  serverError: 'injected_server_error',
  unavailable: 'injected_unavailable',
  timeout: 'injected_timeout',
  malformed: 'injected_malformed',
  truncated: 'injected_truncated',
  networkReset: 'injected_network_reset',
};

/** How long an injected 429, and a provider that refuses everything, ask the client to wait. */
const INJECTED_RETRY_AFTER_MS = 1000;

export interface FailureInjection {
  /** Restarts both random sequences from the configured seed, so a run can be replayed. */
  reseed(): void;
  /** Draws a configured failure (or none); a drawn one is counted and set as the entry's outcome. */
  drawFailure(entry: RequestLogEntry): FailureKind | undefined;
  /** Draws the latency for one answer. */
  drawLatencyMs(): number;
  /** Whether the provider is taken down or inside a scheduled outage at `now`. */
  downMode(now: number): { mode: DownMode; outcome: RequestOutcome } | undefined;
  /** Answers as a provider that is down does; `entry` is undefined for unlogged model listings. */
  goDown(
    call: ProviderCall,
    mode: DownMode,
    entry: RequestLogEntry | undefined,
    outcome: RequestOutcome,
  ): void;
  /** An injected 429, which the limits did not cause. */
  sendInjectedRateLimit(call: ProviderCall, model: string, entry: RequestLogEntry, now: number): void;
}

/**
 * Seeded faults and outages. Failures and latency draw from separate sequences of one
 * seed, so changing the latency distribution does not change which requests fail.
 */
export function createFailureInjection(state: ProviderState, responder: ProviderResponder): FailureInjection {
  let failureRandom: () => number = Math.random;
  let latencyRandom: () => number = Math.random;

  const injection: FailureInjection = {
    reseed() {
      const seed = state.config.seed ?? 1;
      failureRandom = createRandom(seed);
      latencyRandom = createRandom(seed ^ 0x9e3779b9);
    },

    drawFailure(entry) {
      const failures = state.config.failures;
      if (!failures) return undefined;
      const draw = failureRandom();
      let cumulative = 0;
      for (const kind of FAILURE_KINDS) {
        cumulative += failures[kind] ?? 0;
        if (draw < cumulative) {
          state.counters.failuresInjected[kind] += 1;
          entry.outcome = INJECTED_OUTCOME[kind];
          return kind;
        }
      }
      return undefined;
    },

    drawLatencyMs() {
      return sampleLatency(state.config.latency, latencyRandom);
    },

    downMode(now) {
      if (state.config.down) return { mode: state.config.down, outcome: 'down' };
      const outages = state.config.outages;
      if (!outages) return undefined;
      const elapsed = now - state.startedAt;
      for (const outage of outages) {
        const after = toMilliseconds(outage.afterMs) ?? 0;
        const duration = toMilliseconds(outage.durationMs) ?? 0;
        if (elapsed >= after && elapsed < after + duration) return { mode: outage.mode, outcome: 'outage' };
      }
      return undefined;
    },

    goDown(call, mode, entry, outcome) {
      if (entry) entry.outcome = outcome;
      if (mode === 'rate_limited') {
        // Every call refused as the format's 429, with the Retry-After every client reads (Gemini too).
        const error: SimError = {
          kind: 'rate-limited',
          cause: 'injected',
          model: '',
          metric: 'requests',
          retryAfterMs: INJECTED_RETRY_AFTER_MS,
        };
        const rendered = state.format.renderError(error, {}, state.now());
        rendered.headers['retry-after'] = String(INJECTED_RETRY_AFTER_MS / 1_000);
        if (!entry) return void responder.write(call, rendered);
        state.counters.rateLimited += 1;
        responder.send(call, rendered, entry);
        return;
      }
      if (mode === 'unavailable') {
        const rendered = state.format.renderError({ kind: 'unavailable' }, {}, state.now());
        if (entry) responder.send(call, rendered, entry);
        else responder.write(call, rendered);
        return;
      }
      if (entry) state.log.push(entry);
      // 'timeout': never answer; the socket is held until the client gives up or the simulator closes.
      if (mode === 'reset') call.request.socket.destroy();
    },

    sendInjectedRateLimit(call, model, entry, now) {
      state.counters.rateLimited += 1;
      const error: SimError = {
        kind: 'rate-limited',
        cause: 'injected',
        model,
        metric: 'requests',
        retryAfterMs: INJECTED_RETRY_AFTER_MS,
      };
      responder.send(
        call,
        state.format.renderError(error, accountOf(state, call).limiter.snapshot(now), now),
        entry,
      );
    },
  };
  injection.reseed();
  return injection;
}
