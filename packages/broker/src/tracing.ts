import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * OpenTelemetry spans of the broker. They cost nothing unless the process registers a tracer
 * provider (the app does when OTEL_EXPORTER_OTLP_ENDPOINT is set; see docs/observability.md).
 */
export const tracer = trace.getTracer('switchyard');

/** Ends a span with the outcome of what it measured. */
export function endSpan(span: Span, outcome: string, failed: boolean): void {
  span.setAttribute('switchyard.outcome', outcome);
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
  span.end();
}
