import { type Broker, providerUsage, windowLabelOf } from '@switchyard/broker';
import { keyGroupsOf, type ProviderConfig } from '@switchyard/config';
import { Gauge, type Registry } from 'prom-client';

const QUEUE_STATES = ['waiting', 'active', 'delayed'] as const;

interface ProviderState {
  provider: string;
  queue: Record<(typeof QUEUE_STATES)[number], number>;
  quotas: { scope: string; unit: string; window: string; remaining: number }[];
}

/**
 * Gauges read from Redis at scrape time: the same for every process, unlike the counters.
 * One scrape reads each provider's queue counts and quota usage once, shared by the gauges.
 * When Redis cannot be read the scrape fails (500), which Prometheus reports as `up == 0`.
 */
export function collectBrokerState(registry: Registry, broker: Broker): void {
  let reading: Promise<ProviderState[]> | undefined;
  const read = () => {
    reading ??= Promise.all(
      broker.config.providers.map((provider) => readProvider(broker, provider)),
    ).finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const registers = [registry];

  new Gauge({
    name: 'switchyard_jobs',
    help: 'Jobs in the provider queues now, by state (waiting, active, delayed), all processes',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const states = await read();
      this.reset();
      for (const state of QUEUE_STATES) {
        this.set(
          { state },
          states.reduce((sum, provider) => sum + provider.queue[state], 0),
        );
      }
    },
  });
  new Gauge({
    name: 'switchyard_queue_depth',
    help: "Jobs in one provider's queue now, by state (waiting, active, delayed), all processes",
    labelNames: ['provider', 'state'] as const,
    registers,
    async collect() {
      const states = await read();
      this.reset();
      for (const { provider, queue } of states) {
        for (const state of QUEUE_STATES) this.set({ provider, state }, queue[state]);
      }
    },
  });
  new Gauge({
    name: 'switchyard_provider_backoff_seconds',
    help: 'Seconds a provider that keeps refusing (429) is still planned after every other target (0: not backed off); shared by every process',
    labelNames: ['provider'] as const,
    registers,
    collect() {
      this.reset();
      const now = Date.now();
      for (const provider of broker.config.providers) {
        const until = broker.backoff.state(provider.id)?.until ?? 0;
        this.set({ provider: provider.id }, Math.max(0, until - now) / 1_000);
      }
    },
  });
  new Gauge({
    name: 'switchyard_finalize_pending',
    help: 'Terminal jobs whose follow-ups (webhook, batch counters) failed every attempt so far; the sweeper retries them until done',
    registers,
    async collect() {
      this.set(await broker.finalizePending());
    },
  });
  new Gauge({
    name: 'switchyard_quota_remaining',
    help: 'Requests or tokens left in the current window of each configured limit (shared quota, all processes)',
    labelNames: ['provider', 'scope', 'unit', 'window'] as const,
    registers,
    async collect() {
      const states = await read();
      this.reset();
      for (const { provider, quotas } of states) {
        for (const { remaining, ...labels } of quotas) this.set({ provider, ...labels }, remaining);
      }
    },
  });
}

/** As `GET /v1/providers` reads them: queue counts per state and the usage of every limit. */
async function readProvider(broker: Broker, provider: ProviderConfig): Promise<ProviderState> {
  const limits = [
    ...provider.limits.map((limit) => ({ scope: 'provider', ...limit })),
    ...provider.models.flatMap((model) => model.limits.map((limit) => ({ scope: model.name, ...limit }))),
  ];
  const queue = broker.queue(broker.keys.providerQueue(provider.id));
  const [counts, usage] = await Promise.all([
    // Jobs with a priority (all of ours) wait in `prioritized`, not in `wait`.
    queue.getJobCounts('wait', 'prioritized', 'active', 'delayed'),
    providerUsage(broker.quota, { provider: provider.id, groups: keyGroupsOf(provider), limits }),
  ]);
  return {
    provider: provider.id,
    queue: {
      waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
    },
    quotas: limits.map((limit, index) => ({
      scope: limit.scope,
      unit: limit.unit,
      window: windowLabelOf(limit),
      remaining: usage[index]?.remaining ?? limit.max,
    })),
  };
}
