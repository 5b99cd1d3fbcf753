import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { summarize } from '../apps/provider-sim/src/summarize.ts';
import { bearer, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// End to end over real HTTP: a batch of 200 documents to summarize, over a route of three
// simulated providers (one failing half its requests), read back three ways.

const KEY = 'e2e-key-0123456789abcdef';
const SECRET = 'whsec_c3dpdGNoeWFyZC1lMmUtd2ViaG9vay1zZWNyZXQ=';
const DOCUMENTS = 200;

let harness: Harness;
let receiver: Server;
let callbackUrl: string;
const deliveries: { id: string; type: string; verified: boolean; body: Record<string, unknown> }[] = [];

function documentText(index: number): string {
  return [
    `Report ${index} covers the harbour district.`,
    `Traffic in the district rose by ${index % 17} percent this quarter.`,
    'The council approved a new ferry line.',
    `Residents of street ${index} asked for quieter nights.`,
  ].join(' ');
}

beforeAll(async () => {
  const webhook = new Webhook(SECRET);
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      let verified = true;
      try {
        webhook.verify(body, request.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const parsed = JSON.parse(body) as { type: string };
      deliveries.push({
        id: String(request.headers['webhook-id']),
        type: parsed.type,
        verified,
        body: parsed,
      });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  const provider = (id: string, format: 'openai' | 'gemini' | 'anthropic', tier: 'free' | 'paid') => ({
    id,
    format,
    models: [{ name: 'm', contextWindow: 8_000 }],
    switchyard: {
      tier,
      models: [
        {
          name: 'm',
          contextWindow: 8_000,
          price: { input: tier === 'paid' ? 1 : 0, output: tier === 'paid' ? 5 : 0 },
        },
      ],
      concurrency: 8,
      timeout: '5s',
    },
  });
  const flaky = provider('flaky-free', 'openai', 'free');
  const steady = provider('steady-free', 'gemini', 'free');
  harness = await startHarness({
    providers: [
      { ...flaky, simulator: { failures: { serverError: 0.5 } } },
      {
        ...steady,
        simulator: { limits: [{ requests: 40, per: '1s' }] },
        switchyard: { ...steady.switchyard, limits: [{ requests: 40, per: '1s' }] },
      },
      provider('paid', 'anthropic', 'paid'),
    ],
    routes: { summarize: { targets: ['flaky-free/m', 'steady-free/m', 'paid/m'] } },
    auth: { apiKeys: [{ key: KEY, tenant: 'e2e' }] },
    config: {
      webhooks: { secret: SECRET, allowPrivateNetworks: true },
      scheduling: { retriesPerTarget: 1 },
    },
    listen: true,
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${harness.origin}${path}`, { ...init, headers: { ...bearer(KEY), ...init.headers } });
}

it('summarizes 200 documents and returns every result by polling, output file and signed webhooks', async () => {
  const lines = Array.from({ length: DOCUMENTS }, (_, index) =>
    JSON.stringify({
      custom_id: `doc-${index}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: {
        model: 'summarize',
        messages: [{ role: 'user', content: documentText(index) }],
        max_tokens: 48,
      },
    }),
  );
  const form = new FormData();
  form.append('purpose', 'batch');
  form.append('file', new Blob([`${lines.join('\n')}\n`], { type: 'application/jsonl' }), 'documents.jsonl');
  const upload = await call('/v1/files', { method: 'POST', body: form });
  expect(upload.status).toBe(200);
  const file = (await upload.json()) as { id: string; purpose: string };
  expect(file.purpose).toBe('batch');

  const created = await call('/v1/batches', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      callback_url: callbackUrl,
      deadline: '10m',
    }),
  });
  expect(created.status).toBe(200);
  const { id: batchId } = (await created.json()) as { id: string };

  const batch = await until(
    async () => {
      const current = (await (await call(`/v1/batches/${batchId}`)).json()) as {
        status: string;
        request_counts: { total: number; completed: number; failed: number };
        output_file_id: string | null;
      };
      return current.status === 'completed' && current;
    },
    { timeoutMs: 120_000, message: 'the batch to complete' },
  );
  expect(batch.request_counts).toEqual({ total: DOCUMENTS, completed: DOCUMENTS, failed: 0 });

  // 1. The output file: one line per document, keyed by custom_id, each summarizing its document.
  const output = await call(`/v1/files/${batch.output_file_id}/content`);
  expect(output.status).toBe(200);
  const results = (await output.text())
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as {
          custom_id: string;
          response: {
            status_code: number;
            request_id: string;
            body: { choices: { message: { content: string } }[] };
          };
        },
    );
  expect(results).toHaveLength(DOCUMENTS);
  expect(new Set(results.map((result) => result.custom_id)).size).toBe(DOCUMENTS);
  for (const result of results) {
    const index = Number(result.custom_id.slice('doc-'.length));
    const content = result.response.body.choices[0]!.message.content;
    expect(result.response.status_code).toBe(200);
    expect(documentText(index)).toContain(content.split(/(?<=\.)\s/)[0]!);
    // Every format's simulator gives the same summary, whichever provider answered.
    expect(content).toBe(summarize(documentText(index), 48).text);
  }

  // 2. Polling: every job, by the id the output file names, says the same.
  const polled = await Promise.all(
    results.map(
      async (result) =>
        (await (await call(`/v1/jobs/${result.response.request_id}`)).json()) as {
          status: string;
          custom_id: string;
          result: { content: string };
        },
    ),
  );
  for (const [index, job] of polled.entries()) {
    expect(job.status).toBe('succeeded');
    expect(job.custom_id).toBe(results[index]!.custom_id);
    expect(job.result.content).toBe(results[index]!.response.body.choices[0]!.message.content);
  }

  // 3. Webhooks: one signed job.succeeded per document and one batch.completed, once each.
  await until(() => new Set(deliveries.map((delivery) => delivery.id)).size >= DOCUMENTS + 1, {
    timeoutMs: 30_000,
    message: 'every webhook',
  });
  expect(deliveries.every((delivery) => delivery.verified)).toBe(true);
  const perId = new Map<string, number>();
  for (const delivery of deliveries) perId.set(delivery.id, (perId.get(delivery.id) ?? 0) + 1);
  expect([...perId.values()].every((count) => count === 1)).toBe(true);
  expect(deliveries.filter((delivery) => delivery.type === 'job.succeeded')).toHaveLength(DOCUMENTS);
  expect(deliveries.filter((delivery) => delivery.type === 'batch.completed')).toHaveLength(1);

  // The delivery attempts are visible on the job.
  const withDeliveries = await until(
    async () => {
      const job = (await (await call(`/v1/jobs/${results[0]!.response.request_id}`)).json()) as {
        deliveries?: { outcome: string; status: number; webhook_id: string }[];
      };
      return job.deliveries?.some((delivery) => delivery.outcome === 'delivered') && job;
    },
    { message: 'a delivered webhook on the first job' },
  );
  expect(withDeliveries.deliveries![0]).toMatchObject({ outcome: 'delivered', status: 200 });

  // The flaky provider did fail about half its calls, and the route absorbed it.
  const flaky = await harness.simulator.stats('flaky-free');
  expect(flaky.failuresInjected.serverError).toBeGreaterThan(10);
}, 180_000);
