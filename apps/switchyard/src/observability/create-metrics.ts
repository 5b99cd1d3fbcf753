import { type AttemptEvent, type Job, type JobStatus, TERMINAL_STATUSES } from '@switchyard/broker';
import type { DeliveryAttempt } from '@switchyard/webhooks';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Seconds: a cached answer in 50 ms up to a long completion near a provider's timeout. */
export const ATTEMPT_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

/** Counters count events of this process only: sum them across processes in the query. */
const HERE = 'in this process since it started';

export interface Metrics {
  /** A registry of its own (not prom-client's global one), so two instances never share counts. */
  readonly registry: Registry;
  recordSubmitted(job: Pick<Job, 'route' | 'priority'>): void;
  recordAttempt(event: AttemptEvent): void;
  recordFinished(status: JobStatus): void;
  recordDelivery(attempt: DeliveryAttempt): void;
}

/** The event counters. Gauges of shared state (queues, quotas) are added by `collectBrokerState`. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const submitted = new Counter({
    name: 'switchyard_jobs_submitted_total',
    help: `Jobs submitted (API and batch lines) ${HERE}; a repeated id is not counted again`,
    labelNames: ['route', 'priority'] as const,
    registers,
  });
  const finished = new Counter({
    name: 'switchyard_jobs_finished_total',
    help: `Jobs that became terminal ${HERE}`,
    labelNames: ['status'] as const,
    registers,
  });
  const attempts = new Counter({
    name: 'switchyard_attempts_total',
    help: `Attempts recorded ${HERE}: provider calls, and targets skipped without one (outcome="skipped")`,
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'switchyard_attempt_duration_seconds',
    help: `Duration of provider calls made ${HERE} (skipped targets are not observed)`,
    labelNames: ['provider'] as const,
    buckets: ATTEMPT_DURATION_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'switchyard_tokens_total',
    help: `Tokens providers reported for successful calls made ${HERE}`,
    labelNames: ['provider', 'direction'] as const,
    registers,
  });
  const cost = new Counter({
    name: 'switchyard_cost_usd_total',
    help: `Cost in USD of successful calls made ${HERE}, at the configured model prices`,
    labelNames: ['provider'] as const,
    registers,
  });
  const deliveries = new Counter({
    name: 'switchyard_webhook_deliveries_total',
    help: `Webhook delivery attempts made ${HERE}, by event type and outcome (delivered, retrying, gave_up)`,
    labelNames: ['event', 'outcome'] as const,
    registers,
  });
  // Present at 0 from the start, so rate() and alerts see the first increment.
  for (const status of TERMINAL_STATUSES) finished.inc({ status }, 0);

  return {
    registry,
    recordSubmitted(job) {
      submitted.inc({ route: job.route, priority: job.priority });
    },
    recordAttempt({ attempt, usage, costUsd }) {
      const { provider } = attempt;
      attempts.inc({ provider, model: attempt.model, outcome: attempt.outcome });
      if (attempt.outcome !== 'skipped') duration.observe({ provider }, attempt.latency_ms / 1_000);
      if (usage) {
        tokens.inc({ provider, direction: 'input' }, usage.inputTokens);
        tokens.inc({ provider, direction: 'output' }, usage.outputTokens);
      }
      if (costUsd !== undefined) cost.inc({ provider }, costUsd);
    },
    recordFinished(status) {
      finished.inc({ status });
    },
    recordDelivery(attempt) {
      deliveries.inc({ event: attempt.event, outcome: attempt.outcome });
    },
  };
}
