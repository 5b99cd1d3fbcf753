import { randomBytes } from 'node:crypto';
import type { ProviderConfig } from '@switchyard/config';
import type { ProviderAdapter } from '@switchyard/spec';
import type { RedisConnection } from '../create-redis.ts';
import type { AttemptEvent } from '../dispatcher.ts';
import type { Keys } from '../keys.ts';
import { isAttemptOutcome, OUTCOME_POLICY } from '../outcome-policy.ts';
import { defineScripts } from '../scripts/define-scripts.ts';

/** Circuit breaker thresholds. Defaults: see `DEFAULT_HEALTH_OPTIONS`. */
export interface HealthOptions {
  /** Consecutive provider failures that open the circuit. */
  failureThreshold: number;
  /** Error rate (0..1) over `windowMs` that opens the circuit, once `minCalls` were counted. */
  maxErrorRate: number;
  minCalls: number;
  windowMs: number;
  /**
   * A success slower than this counts as a failure (reason `slow`) — only when it is also
   * slower than `slowPerOutputTokenMs` per output token: a long answer takes long, and one
   * tenant's long generations must not open a provider's breaker for everyone.
   */
  slowAfterMs: number;
  slowPerOutputTokenMs: number;
  /** How long an open circuit waits before its first probe. */
  openForMs: number;
  /** Between probes of a provider that stays open. */
  probeIntervalMs: number;
  /** A probe that has not answered by then failed. */
  probeTimeoutMs: number;
  /** How often the in-process cache is refreshed from Redis (and due probes are looked for). */
  refreshMs: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = {
  failureThreshold: 5,
  maxErrorRate: 0.5,
  minCalls: 10,
  windowMs: 60_000,
  slowAfterMs: 30_000,
  // 4 tokens a second: far below any working provider's generation speed.
  slowPerOutputTokenMs: 250,
  openForMs: 30_000,
  probeIntervalMs: 15_000,
  probeTimeoutMs: 10_000,
  refreshMs: 500,
};

/** Whether an outcome says the provider is broken (the outcome policy decides; unknown: no). */
function isProviderFault(outcome: string): boolean {
  return isAttemptOutcome(outcome) && OUTCOME_POLICY[outcome].countsAgainstBreaker;
}

export type BreakerStatus = 'closed' | 'open' | 'half_open';

export interface ProviderHealth {
  /** `healthy` = closed, `unhealthy` = open, `probing` = half-open (a probe is running). */
  status: 'healthy' | 'unhealthy' | 'probing';
  /** Why it opened (or, once closed again, how it recovered); null before anything happened. */
  reason: string | null;
  /** ISO time of the last change between healthy and unhealthy; null before anything happened. */
  since: string | null;
  consecutiveFailures: number;
  /** Failures / counted calls in the window (at opening time while open). */
  errorRate: number;
}

export interface CreateHealthOptions {
  redis: RedisConnection;
  keys: Keys;
  providers: ProviderConfig[];
  /** Adapters by provider id, for probes. */
  adapters: ReadonlyMap<string, ProviderAdapter>;
  options?: Partial<HealthOptions>;
  /** Called with errors of background work (refresh, probes); they never throw. */
  onError?: (error: unknown) => void;
  /** Called after every probe this process ran (logs, metrics, tests); must not throw. */
  onProbe?: (providerId: string, result: ProbeResult) => void;
}

export interface ProbeResult {
  ok: boolean;
  reason: string;
  latencyMs: number;
}

export interface Health {
  readonly options: HealthOptions;
  /** Feed with every attempt (chain it into `BrokerHooks.attempt`). Never throws or blocks. */
  onAttempt(event: AttemptEvent): void;
  /** Synchronous, from the in-process cache: false while open or half-open. */
  isHealthy(providerId: string): boolean;
  state(providerId: string): ProviderHealth;
  /** Loads the cache and keeps it fresh (every process that plans jobs). */
  start(): Promise<void>;
  /** Also runs due probes of open providers (worker processes only). Implies `start()`. */
  startProbes(): Promise<void>;
  /** Re-reads every provider's state from Redis now. */
  refresh(): Promise<void>;
  /** Stops the timers and waits for running probes. */
  stop(): Promise<void>;
}

interface Cached {
  status: BreakerStatus;
  reason: string | null;
  since: number | null;
  failures: number;
  errorRate: number;
  nextProbe: number;
}

const EMPTY: Cached = {
  status: 'closed',
  reason: null,
  since: null,
  failures: 0,
  errorRate: 0,
  nextProbe: 0,
};
const STATUS_VIEW: Record<BreakerStatus, ProviderHealth['status']> = {
  closed: 'healthy',
  open: 'unhealthy',
  half_open: 'probing',
};

/**
 * A circuit breaker per provider whose state lives in Redis, so every process agrees
 * (docs/health.md). Transitions are Lua scripts (record-call-3.lua, start-probe-1.lua,
 * finish-probe-1.lua); reads for route plans come from a cache.
 */
export function createHealth(input: CreateHealthOptions): Health {
  const { redis, keys, providers } = input;
  const options: HealthOptions = { ...DEFAULT_HEALTH_OPTIONS, ...input.options };
  const onError = input.onError ?? (() => {});
  const { adapters } = input;
  const cache = new Map<string, Cached>();
  const scripts = defineScripts(redis, {
    recordCall: new URL('./record-call-3.lua', import.meta.url),
    startProbe: new URL('./start-probe-1.lua', import.meta.url),
    finishProbe: new URL('./finish-probe-1.lua', import.meta.url),
  });
  const probing = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let probes = false;
  let refreshing: Promise<void> | undefined;
  let stopped = false;

  function parse(fields: Record<string, string>, calls: number, fails: number): Cached {
    const status = (fields.status as BreakerStatus | undefined) ?? 'closed';
    return {
      status,
      reason: fields.reason ?? null,
      since: fields.since === undefined ? null : Number(fields.since),
      failures: Number(fields.failures ?? 0),
      errorRate: status === 'closed' ? (calls > 0 ? fails / calls : 0) : Number(fields.error_rate ?? 0),
      nextProbe: Number(fields.next_probe ?? 0),
    };
  }

  async function refresh(): Promise<void> {
    if (refreshing) return refreshing;
    refreshing = (async () => {
      const since = Date.now() - options.windowMs;
      // One command per key, not one pipeline: on a Redis Cluster each provider's keys live on
      // the master of its own slot, and the auto-pipeline still sends them in one round per node.
      const results = await Promise.all(
        providers.map((provider) =>
          Promise.all([
            redis.hgetall(keys.healthState(provider.id)),
            redis.zcount(keys.healthCalls(provider.id), since, '+inf'),
            redis.zcount(keys.healthFailures(provider.id), since, '+inf'),
          ]).catch(() => undefined),
        ),
      );
      providers.forEach((provider, index) => {
        const result = results[index];
        if (!result) return;
        const [state, calls, failures] = result;
        cache.set(provider.id, parse(state, calls, failures));
      });
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function record(providerId: string, failed: boolean, label: string): Promise<void> {
    const now = Date.now();
    const result = await scripts.recordCall<[string, number, string | null, number, number]>(
      [keys.healthState(providerId), keys.healthCalls(providerId), keys.healthFailures(providerId)],
      [
        now,
        failed ? 1 : 0,
        `${now}:${randomBytes(6).toString('hex')}`,
        options.failureThreshold,
        options.windowMs,
        options.minCalls,
        options.maxErrorRate,
        options.openForMs,
        label,
      ],
    );
    const [status, opened, reason, failures, errorRate] = result;
    const previous = cache.get(providerId) ?? EMPTY;
    if (opened === 1) {
      cache.set(providerId, {
        status: 'open',
        reason,
        since: now,
        failures,
        errorRate: Number(errorRate),
        nextProbe: now + options.openForMs,
      });
    } else if (status === 'closed') {
      cache.set(providerId, { ...previous, status: 'closed', failures, errorRate: Number(errorRate) });
    }
  }

  async function probe(provider: ProviderConfig): Promise<void> {
    const state = keys.healthState(provider.id);
    const leaseMs = options.probeTimeoutMs + options.probeIntervalMs;
    const claimed = await scripts.startProbe<number>([state], [Date.now(), leaseMs]);
    if (claimed !== 1) return;
    const previous = cache.get(provider.id) ?? EMPTY;
    cache.set(provider.id, { ...previous, status: 'half_open' });

    const adapter = adapters.get(provider.id);
    const model = provider.models[0]?.name;
    const startedAt = Date.now();
    let ok = false;
    let reason: string;
    try {
      if (!adapter || !model) throw new Error('no adapter or model to probe with');
      // One token: the probe counts against the provider's quota like any call.
      await adapter.generate({
        model,
        messages: [{ role: 'user', content: 'ping' }],
        maxTokens: 1,
        timeoutMs: options.probeTimeoutMs,
      });
      const latency = Date.now() - startedAt;
      ok = latency <= options.slowAfterMs;
      reason = ok
        ? `probe succeeded in ${latency} ms`
        : `slow: probe took ${latency} ms (over ${options.slowAfterMs} ms)`;
    } catch (error) {
      const outcome = (error as { outcome?: unknown }).outcome;
      const message = error instanceof Error ? error.message : String(error);
      reason = `probe failed: ${typeof outcome === 'string' ? `${outcome}: ` : ''}${message}`;
      // A probe refused for quota or rate reasons reached a working provider.
      if (typeof outcome === 'string' && !isProviderFault(outcome)) {
        ok = true;
        reason = `probe reached the provider (${outcome})`;
      }
    }
    const now = Date.now();
    input.onProbe?.(provider.id, { ok, reason, latencyMs: now - startedAt });
    const finished = await scripts.finishProbe<number>(
      [state],
      [now, ok ? 1 : 0, reason, options.probeIntervalMs],
    );
    if (finished !== 1) return;
    const current = cache.get(provider.id) ?? EMPTY;
    cache.set(
      provider.id,
      ok
        ? { status: 'closed', reason, since: now, failures: 0, errorRate: 0, nextProbe: 0 }
        : { ...current, status: 'open', reason, nextProbe: now + options.probeIntervalMs },
    );
  }

  function runDueProbes(): void {
    const now = Date.now();
    for (const provider of providers) {
      const cached = cache.get(provider.id);
      if (!cached || cached.status === 'closed' || cached.nextProbe > now) continue;
      if (probing.has(provider.id)) continue;
      const running = probe(provider)
        .catch(onError)
        .finally(() => probing.delete(provider.id));
      probing.set(provider.id, running);
    }
  }

  async function tick(): Promise<void> {
    try {
      await refresh();
      if (probes && !stopped) runDueProbes();
    } catch (error) {
      onError(error);
    }
  }

  return {
    options,

    onAttempt(event) {
      const { outcome, provider, latency_ms: latency } = event.attempt;
      let label: string;
      let failed: boolean;
      if (outcome === 'succeeded') {
        const perToken = latency / Math.max(1, event.usage?.outputTokens ?? 1);
        failed = latency > options.slowAfterMs && perToken > options.slowPerOutputTokenMs;
        label = failed
          ? `slow: ${latency} ms (over ${options.slowAfterMs} ms), ${Math.round(perToken)} ms per output token`
          : '';
      } else if (isProviderFault(outcome)) {
        failed = true;
        label = outcome;
      } else {
        return; // skipped, rate_limited, quota_exhausted, request-side errors: not the provider's fault
      }
      if (!providers.some((candidate) => candidate.id === provider)) return;
      record(provider, failed, label).catch(onError);
    },

    isHealthy(providerId) {
      return (cache.get(providerId)?.status ?? 'closed') === 'closed';
    },

    state(providerId) {
      const cached = cache.get(providerId) ?? EMPTY;
      return {
        status: STATUS_VIEW[cached.status],
        reason: cached.reason,
        since: cached.since === null ? null : new Date(cached.since).toISOString(),
        consecutiveFailures: cached.failures,
        errorRate: Math.round(cached.errorRate * 1000) / 1000,
      };
    },

    async start() {
      stopped = false;
      if (!timer) {
        timer = setInterval(() => void tick(), options.refreshMs);
        timer.unref();
      }
      await tick();
    },

    async startProbes() {
      probes = true;
      await this.start();
    },

    refresh,

    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await refreshing?.catch(() => {});
      await Promise.all(probing.values());
    },
  };
}
