import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { send } from './support/balanced-client.ts';
import { FLEET_AUTH, fleetConfig } from './support/fleet-config.ts';
import { deleteKeys, testPrefix } from './support/redis-prefix.ts';
import { startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// The attempt span carries OpenTelemetry's GenAI semantic-convention attributes, so an LLM
// observability backend fed over OTLP (Langfuse, others) shows Switchyard's provider calls.
// The collector here is a real HTTP server receiving what the app's OTLP/HTTP exporter sends.

const TEXT = 'The tide turned at noon. Boats left the harbour. The market closed early.';
const prefix = testPrefix();
let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [{ id: 'sim', format: 'openai', models: [{ name: 'm', contextWindow: 8_000 }] }],
  });
});

afterAll(async () => {
  await simulator.close();
  await deleteKeys(prefix);
});

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  name: string;
  attributes: { key: string; value: OtlpValue }[];
}
interface OtlpExport {
  resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
}

function plain(value: OtlpValue): unknown {
  if (value.arrayValue) return value.arrayValue.values.map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.doubleValue;
}

it('exports the attempt span with gen_ai.* request, response and usage attributes, and no content', async () => {
  const bodies: string[] = [];
  const collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const switchyard = await startSwitchyard({
    SWITCHYARD_CONFIG: writeConfig(fleetConfig(simulator, prefix, 2)),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
  });
  let jobId: string;
  try {
    const base = switchyard.ready.api!.replace(/\/v1$/, '');
    const answer = await send(base, 'POST', '/v1/chat/completions', {
      headers: FLEET_AUTH,
      body: { model: 'main', max_tokens: 64, temperature: 0.2, messages: [{ role: 'user', content: TEXT }] },
    });
    expect(answer.status).toBe(200);
    jobId = String(answer.headers['x-switchyard-job-id']);
  } finally {
    // Shutdown flushes the batch of spans to the collector.
    await switchyard.stop();
    await new Promise((resolve) => collector.close(resolve));
  }

  // The exporter sends OTLP/HTTP JSON.
  const spans = bodies.flatMap((body) =>
    (JSON.parse(body) as OtlpExport).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) => scope.spans),
    ),
  );
  const attempt = spans.find(
    (span) =>
      span.name === 'switchyard.attempt' &&
      span.attributes.some(
        (attribute) => attribute.key === 'switchyard.job.id' && attribute.value.stringValue === jobId,
      ),
  );
  expect(attempt).toBeDefined();
  const attributes = Object.fromEntries(attempt!.attributes.map(({ key, value }) => [key, plain(value)]));
  expect(attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'm',
    'gen_ai.request.max_tokens': 64,
    'gen_ai.request.temperature': 0.2,
    'gen_ai.response.model': 'm',
    'gen_ai.response.finish_reasons': ['stop'],
  });
  expect(attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  expect(attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  // Neither the prompt nor the answer leaves in a span.
  expect(bodies.join('\n')).not.toContain('Boats left the harbour');
}, 30_000);
