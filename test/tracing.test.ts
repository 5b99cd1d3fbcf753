import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createBrokerFor } from '@switchyard/app/broker';
import { parseConfig } from '@switchyard/config';
import { DEFAULT_MAX_TOKENS, type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../apps/provider-sim/src/summarize.ts';
import { until } from './support/poll.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';
import { startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// OpenTelemetry tracing, the option: spans of submissions and attempts, exported over OTLP.

const TEXT = 'The tide turned at noon. Boats left the harbour. The market closed early.';
let simulator: Simulator;
const prefixes: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      {
        id: 'failing',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 8_000 }],
        failures: { serverError: 1 },
      },
      { id: 'working', format: 'openai', models: [{ name: 'm', contextWindow: 8_000 }] },
    ],
  });
});

afterAll(async () => {
  await simulator.close();
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

function configFor(extra: Record<string, unknown> = {}) {
  const prefix = testPrefix();
  prefixes.push(prefix);
  return {
    presets: 'off',
    providers: ['failing', 'working'].map((id) => ({
      id,
      kind: 'openai',
      baseUrl: simulator.baseUrlFor(id),
      models: [{ name: 'm', contextWindow: 8_000 }],
    })),
    routes: { main: { targets: ['failing/m', 'working/m'] } },
    redis: { url: REDIS_URL, prefix },
    scheduling: { retriesPerTarget: 0 },
    ...extra,
  };
}

describe('tracing', () => {
  it('records a span per submission and per attempt, with provider, outcome and error status', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    const broker = createBrokerFor(parseConfig(configFor(), {}));
    try {
      await broker.startWorkers();
      const job = await broker.submit({
        tenant: 't',
        route: 'main',
        messages: [{ role: 'user', content: TEXT }],
      });
      expect((await broker.waitFor(job.id, 10_000))?.status).toBe('succeeded');
      const spans = exporter
        .getFinishedSpans()
        .filter((span) => span.attributes['switchyard.job.id'] === job.id);
      expect(spans.filter((span) => span.name === 'switchyard.submit')).toHaveLength(1);
      const attempts = spans.filter((span) => span.name === 'switchyard.attempt');
      expect(
        attempts.map((span) => [
          span.attributes['switchyard.provider'],
          span.attributes['switchyard.outcome'],
          span.status.code,
        ]),
      ).toEqual([
        ['failing', 'server_error', SpanStatusCode.ERROR],
        ['working', 'succeeded', SpanStatusCode.UNSET],
      ]);
      // No max_tokens asked: the simulator summarizes within its default budget.
      expect(attempts[1]!.attributes['switchyard.tokens.output']).toBe(
        summarize(TEXT, DEFAULT_MAX_TOKENS).outputTokens,
      );
    } finally {
      await broker.close();
      await provider.shutdown();
    }
  });

  it('exports spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const received: string[] = [];
    const collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(`${request.url} ${Buffer.concat(chunks).toString('latin1')}`);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const config = configFor({
      auth: { apiKeys: [{ key: 'trace-key-0123456789', tenant: 't' }] },
      server: { port: 0 },
    });
    const switchyard = await startSwitchyard({
      SWITCHYARD_CONFIG: writeConfig(config),
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'switchyard-test',
    });
    try {
      expect(switchyard.output()).toContain('OpenTelemetry tracing on');
      const ready = JSON.parse(
        switchyard
          .output()
          .split('\n')
          .find((line) => line.includes('"msg":"ready"'))!,
      );
      const submitted = await fetch(`${ready.api}/jobs`, {
        method: 'POST',
        headers: { authorization: 'Bearer trace-key-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({ route: 'main', prompt: TEXT }),
      });
      const { id } = (await submitted.json()) as { id: string };
      await until(
        async () => {
          const job = (await (
            await fetch(`${ready.api}/jobs/${id}?wait=5`, {
              headers: { authorization: 'Bearer trace-key-0123456789' },
            })
          ).json()) as { status: string };
          return job.status === 'succeeded';
        },
        { message: `job ${id} to succeed` },
      );
    } finally {
      // Shutdown flushes the batch of spans to the collector.
      await switchyard.stop();
      await new Promise((resolve) => collector.close(resolve));
    }
    const traces = received.filter((entry) => entry.startsWith('/v1/traces'));
    // How many exports carry the spans is the batch processor's choice; at least one must.
    expect(traces.length).toBeGreaterThan(0);
    const payload = traces.join('\n');
    expect(payload).toContain('switchyard.attempt');
    expect(payload).toContain('switchyard-test');
  }, 30_000);
});
