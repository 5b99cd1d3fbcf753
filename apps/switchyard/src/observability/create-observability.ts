/**
 * Logs and metrics of one process: an `attempt` log line per recorded attempt, and a
 * Prometheus registry served at `/metrics` (see docs/observability.md).
 * Traces are separate: the broker's spans, exported when tracing is on (start-tracing.ts).
 */
import type { Broker, BrokerHooks } from '@switchyard/broker';
import type { DeliveryAttempt } from '@switchyard/webhooks';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { attemptLogFields } from './attempt-log-fields.ts';
import { collectBrokerState } from './collect-broker-state.ts';
import { createMetrics } from './create-metrics.ts';

export interface Observability {
  readonly registry: Registry;
  /** For `createBroker`: observers that never throw into the broker. */
  readonly hooks: BrokerHooks;
  /** For `createWebhooks`. */
  onDelivery(attempt: DeliveryAttempt): void;
  /**
   * Adds the scrape-time gauges of the broker's queues and quotas, and returns the broker
   * with `submit` counted (the broker has no hook for submissions).
   */
  observeBroker(broker: Broker): Broker;
}

export function createObservability(options: { logger?: Logger } = {}): Observability {
  const { logger } = options;
  const metrics = createMetrics();

  /** An observer's bug must not break a job: after a success the follow-ups still have to run. */
  function guarded<Args extends unknown[]>(name: string, observe: (...args: Args) => void) {
    return (...args: Args) => {
      try {
        observe(...args);
      } catch (error) {
        logger?.warn({ err: error, observer: name }, 'an observer failed');
      }
    };
  }

  return {
    registry: metrics.registry,
    hooks: {
      attempt: guarded('attempt', (event) => {
        metrics.recordAttempt(event);
        logger?.info(attemptLogFields(event), 'attempt');
      }),
      finished: guarded('finished', (_job, status) => metrics.recordFinished(status)),
    },
    onDelivery: guarded('delivery', metrics.recordDelivery),
    observeBroker(broker) {
      collectBrokerState(metrics.registry, broker);
      const countSubmitted = guarded('submitted', metrics.recordSubmitted);
      return {
        ...broker,
        async submit(request, options) {
          const calledAt = Date.now();
          const job = await broker.submit(request, options);
          // A repeated id returns the job made by an earlier call: created before this one.
          if (Date.parse(job.created_at) >= calledAt) countSubmitted(job);
          return job;
        },
      };
    },
  };
}
