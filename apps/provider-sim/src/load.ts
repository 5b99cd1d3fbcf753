import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  url: string;
  /** A string is sent as is; anything else as JSON. Omitted: a GET without a body. */
  body?: unknown;
  concurrency: number;
  durationMs: number;
  method?: string;
  headers?: Record<string, string>;
}

export interface ThroughputResult {
  requests: number;
  /** Network errors (no response). Non-2xx answers are counted in `statuses`. */
  errors: number;
  statuses: Record<number, number>;
  durationMs: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/**
 * Closed-loop load: `concurrency` workers, each sending its next request as soon as
 * the previous answer is read, over keep-alive connections, for `durationMs`.
 */
export async function measureThroughput(options: MeasureOptions): Promise<ThroughputResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const payload =
    options.body === undefined
      ? undefined
      : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  const method = options.method ?? (payload ? 'POST' : 'GET');
  const headers: Record<string, string | number> = { ...options.headers };
  if (payload) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = payload.length;
  }
  const statuses: Record<number, number> = {};
  const latencies: number[] = [];
  let errors = 0;

  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const outgoing = request(options.url, { method, headers, agent }, (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          statuses[status] = (statuses[status] ?? 0) + 1;
          latencies.push(performance.now() - started);
          resolve();
        });
        response.on('error', () => {
          errors += 1;
          resolve();
        });
      });
      outgoing.on('error', () => {
        errors += 1;
        resolve();
      });
      outgoing.end(payload);
    });

  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) await once();
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const durationMs = performance.now() - started;
  agent.destroy();

  latencies.sort((left, right) => left - right);
  const at = (quantile: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? 0;
  const requests = latencies.length + errors;
  return {
    requests,
    errors,
    statuses,
    durationMs,
    requestsPerSecond: (requests / durationMs) * 1000,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 },
  };
}
