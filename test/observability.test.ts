import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens } from '@switchyard/provider-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../apps/provider-sim/src/summarize.ts';
import { createLogger } from '../apps/switchyard/src/observability/create-logger.ts';
import { ATTEMPT_DURATION_BUCKETS } from '../apps/switchyard/src/observability/create-metrics.ts';
import { type App, bearer as auth, basic, type Harness, startHarness } from './support/app-harness.ts';
import { until } from './support/poll.ts';

// Attempt log lines and /metrics over a real run: real Redis, real workers, the simulator,
// and a real webhook receiver. The exposition text is parsed, not grepped.

const PROVIDER_KEY = 'sk-observability-provider-key-0123456789';
const WRONG_PROVIDER_KEY = 'sk-observability-wrong-key-9876543210';
const API_KEY = 'acme-observability-key-0123456789';
const ADMIN_KEY = 'admin-observability-key-0123456789';
const WEBHOOK_SECRET = 'whsec_c3dpdGNoeWFyZC10ZXN0LXNlY3JldC0wMDAx';
const TEXT = 'The harbour froze in January. Ships waited outside for a week. Then the ice broke.';
const MAX_TOKENS = 32;

let harness: Harness;
let app: App;
let receiver: Server;
let receiverUrl: string;
const logLines: string[] = [];

beforeAll(async () => {
  receiver = createServer((_request, response) => response.writeHead(204).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const models = [{ name: 'm', contextWindow: 4_000 }];
  const free = { tier: 'free', apiKey: PROVIDER_KEY };
  // The production logger (same redaction), writing to memory instead of stdout.
  const logger = createLogger({ write: (line: string) => void logLines.push(line) });
  harness = await startHarness({
    providers: [
      {
        id: 'obs-ok',
        format: 'openai',
        models,
        simulator: { apiKey: PROVIDER_KEY },
        switchyard: {
          ...free,
          limits: [
            { requests: 100, per: '1h' },
            { tokens: 200_000, per: '1h' },
          ],
          models: [{ ...models[0], price: { input: 1, output: 2 }, limits: [{ requests: 50, per: '1d' }] }],
        },
      },
      {
        id: 'obs-flaky',
        format: 'openai',
        models,
        simulator: { apiKey: PROVIDER_KEY, failures: { serverError: 1 } },
        switchyard: free,
      },
      // The simulator answers a wrong key with 401 and echoes it (masked, as OpenAI does).
      {
        id: 'obs-locked',
        format: 'openai',
        models,
        simulator: { apiKey: PROVIDER_KEY },
        switchyard: { ...free, apiKey: WRONG_PROVIDER_KEY },
      },
    ],
    routes: {
      main: { targets: ['obs-ok/m'] },
      flaky: { targets: ['obs-flaky/m', 'obs-ok/m'] },
      locked: { targets: ['obs-locked/m', 'obs-ok/m'] },
      doomed: { targets: ['obs-flaky/m'] },
    },
    auth: { apiKeys: [{ key: API_KEY, tenant: 'acme' }], adminKeys: [ADMIN_KEY] },
    config: {
      webhooks: { secret: WEBHOOK_SECRET, allowPrivateNetworks: true },
      // One retry per target: server_error, retry, server_error, move.
      scheduling: { retriesPerTarget: 1 },
    },
    services: { logger },
    app: { logger },
  });
  app = harness.app;
});

afterAll(async () => {
  await harness?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function submit(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: { ...auth(API_KEY), ...headers },
    payload: { prompt: TEXT, max_tokens: MAX_TOKENS, ...body },
  });
  expect(response.statusCode).toBe(202);
  return response.json().id;
}

async function finish(id: string): Promise<{ status: string; attempts: unknown[] }> {
  const response = await app.inject({ method: 'GET', url: `/v1/jobs/${id}?wait=20`, headers: auth(API_KEY) });
  return response.json();
}

async function scrape(): Promise<Exposition> {
  const response = await app.inject({ method: 'GET', url: '/metrics', headers: auth(ADMIN_KEY) });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(response.body);
}

describe('observability over a run with a retry, two fallbacks, a failure and a webhook', () => {
  const ids: Record<string, string> = {};
  let metrics: Exposition;

  beforeAll(async () => {
    const idempotency = { 'idempotency-key': `obs-${harness.prefix}` };
    ids.main = await submit({ route: 'main' }, idempotency);
    // The same Idempotency-Key: the same job, not a second submission.
    expect(await submit({ route: 'main' }, idempotency)).toBe(ids.main);
    ids.batch = await submit({ route: 'main', priority: 'batch' });
    ids.flaky = await submit({ route: 'flaky' });
    ids.locked = await submit({ route: 'locked' });
    ids.doomed = await submit({ route: 'doomed' });
    ids.webhook = await submit({ route: 'main', callback_url: receiverUrl });
    const finished = Object.fromEntries(
      await Promise.all(Object.entries(ids).map(async ([name, id]) => [name, await finish(id)] as const)),
    );
    expect(Object.fromEntries(Object.entries(finished).map(([name, job]) => [name, job.status]))).toEqual({
      main: 'succeeded',
      batch: 'succeeded',
      flaky: 'succeeded',
      locked: 'succeeded',
      doomed: 'failed',
      webhook: 'succeeded',
    });
    // Hooks run just after the job store records the attempt; the webhook is sent after that.
    const settled = (scraped: Exposition) =>
      scraped.sum('switchyard_attempts_total') === 10 &&
      scraped.sum('switchyard_jobs_finished_total') === 6 &&
      scraped.sum('switchyard_webhook_deliveries_total') === 1 &&
      scraped.value('switchyard_jobs', { state: 'active' }) === 0;
    metrics = await until(
      async () => {
        const scraped = await scrape();
        return settled(scraped) && scraped;
      },
      { message: '10 attempts, 6 finished jobs, 1 webhook delivery and no active job in /metrics' },
    );
  });

  it('protects /metrics with the admin key', async () => {
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const withApiKey = await app.inject({ method: 'GET', url: '/metrics', headers: auth(API_KEY) });
    expect(withApiKey.statusCode).toBe(401);
    expect(withApiKey.json().error.code).toBe('unauthorized');
    const headers = basic('prometheus', ADMIN_KEY);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers })).statusCode).toBe(200);
  });

  it('declares every Switchyard metric with its type, and counters as counts of this process', () => {
    const expected = {
      switchyard_jobs_submitted_total: 'counter',
      switchyard_jobs_finished_total: 'counter',
      switchyard_jobs: 'gauge',
      switchyard_attempts_total: 'counter',
      switchyard_attempt_duration_seconds: 'histogram',
      switchyard_tokens_total: 'counter',
      switchyard_cost_usd_total: 'counter',
      switchyard_queue_depth: 'gauge',
      switchyard_quota_remaining: 'gauge',
      switchyard_webhook_deliveries_total: 'counter',
    };
    for (const [name, type] of Object.entries(expected)) {
      const family = metrics.families.get(name);
      expect(family?.type, name).toBe(type);
      if (type !== 'gauge') expect(family?.help, name).toContain('this process');
    }
  });

  it('counts submissions by route and priority, once per job', () => {
    const submitted = metrics.samples('switchyard_jobs_submitted_total');
    expect(submitted.map(({ labels, value }) => ({ ...labels, value }))).toEqual(
      expect.arrayContaining([
        { route: 'main', priority: 'interactive', value: 2 },
        { route: 'main', priority: 'batch', value: 1 },
        { route: 'flaky', priority: 'interactive', value: 1 },
        { route: 'locked', priority: 'interactive', value: 1 },
        { route: 'doomed', priority: 'interactive', value: 1 },
      ]),
    );
    expect(metrics.sum('switchyard_jobs_submitted_total')).toBe(6);
  });

  it('counts attempts by provider, model and outcome, and finished jobs by status', () => {
    const attempts = metrics.samples('switchyard_attempts_total');
    expect(attempts.map(({ labels, value }) => ({ ...labels, value }))).toEqual(
      expect.arrayContaining([
        { provider: 'obs-ok', model: 'm', outcome: 'succeeded', value: 5 },
        // flaky: error, retry, error, move; doomed: error, retry, error, fail.
        { provider: 'obs-flaky', model: 'm', outcome: 'server_error', value: 4 },
        { provider: 'obs-locked', model: 'm', outcome: 'authentication_failed', value: 1 },
      ]),
    );
    expect(attempts).toHaveLength(3);
    expect(metrics.value('switchyard_jobs_finished_total', { status: 'succeeded' })).toBe(5);
    expect(metrics.value('switchyard_jobs_finished_total', { status: 'failed' })).toBe(1);
    expect(metrics.value('switchyard_jobs_finished_total', { status: 'cancelled' })).toBe(0);
  });

  it('observes every provider call in a consistent histogram', () => {
    const histograms = metrics.histograms('switchyard_attempt_duration_seconds');
    const byProvider = Object.fromEntries(histograms.map((h) => [h.labels.provider, h]));
    expect(Object.keys(byProvider).sort()).toEqual(['obs-flaky', 'obs-locked', 'obs-ok']);
    expect(byProvider['obs-ok']?.count).toBe(5);
    expect(byProvider['obs-flaky']?.count).toBe(4);
    expect(byProvider['obs-locked']?.count).toBe(1);
    for (const histogram of histograms) {
      expect(histogram.buckets.map((bucket) => bucket.le)).toEqual([...ATTEMPT_DURATION_BUCKETS, Infinity]);
      expect(histogram.sum).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts tokens and cost, and the quota gauges agree with them', () => {
    const input = metrics.value('switchyard_tokens_total', { provider: 'obs-ok', direction: 'input' });
    const output = metrics.value('switchyard_tokens_total', { provider: 'obs-ok', direction: 'output' });
    // Five jobs succeeded on obs-ok, each the same prompt: the simulator's token rule and summary.
    expect(input).toBe(5 * countTokens(TEXT));
    expect(output).toBe(5 * summarize(TEXT, MAX_TOKENS).outputTokens);
    // Price: 1 USD per million input tokens, 2 per million output tokens.
    expect(metrics.value('switchyard_cost_usd_total', { provider: 'obs-ok' })).toBeCloseTo(
      (input + 2 * output) / 1e6,
      10,
    );
    // No call reached the other providers successfully: no tokens, no cost.
    expect(metrics.samples('switchyard_tokens_total').map((sample) => sample.labels.provider)).toEqual([
      'obs-ok',
      'obs-ok',
    ]);

    const quota = (scope: string, unit: string, window: string) =>
      metrics.value('switchyard_quota_remaining', { provider: 'obs-ok', scope, unit, window });
    expect(quota('provider', 'requests', '1h')).toBe(100 - 5);
    expect(quota('provider', 'tokens', '1h')).toBe(200_000 - input - output);
    expect(quota('m', 'requests', '1d')).toBe(50 - 5);
    // Providers without limits have no quota series.
    expect(metrics.samples('switchyard_quota_remaining')).toHaveLength(3);
  });

  it('reads queue depth per provider and in total', () => {
    for (const provider of ['obs-ok', 'obs-flaky', 'obs-locked']) {
      for (const state of ['waiting', 'active', 'delayed']) {
        expect(metrics.value('switchyard_queue_depth', { provider, state }), `${provider} ${state}`).toBe(0);
      }
    }
    expect(metrics.samples('switchyard_jobs').map((sample) => sample.labels.state)).toEqual([
      'waiting',
      'active',
      'delayed',
    ]);
  });

  it('counts webhook deliveries by event and outcome', () => {
    expect(
      metrics.value('switchyard_webhook_deliveries_total', { event: 'job.succeeded', outcome: 'delivered' }),
    ).toBe(1);
  });

  it('writes one structured attempt line per attempt, with the reason of each fallback', () => {
    const attempts = logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'attempt');
    expect(attempts).toHaveLength(10);
    for (const line of attempts) {
      expect(line).toMatchObject({
        level: 30,
        service: 'switchyard',
        job_id: expect.stringMatching(/^job_/),
        tenant: 'acme',
        route: expect.any(String),
        priority: expect.stringMatching(/^(interactive|batch)$/),
        provider: expect.any(String),
        model: 'm',
        outcome: expect.any(String),
        next: expect.stringMatching(/^(done|retry|move|fail)$/),
        latency_ms: expect.any(Number),
      });
    }
    const of = (id: string | undefined) =>
      attempts
        .filter((line) => line.job_id === id)
        .map(({ provider, outcome, next, fallback_reason, error_code }) => ({
          provider,
          outcome,
          next,
          ...(fallback_reason === undefined ? {} : { fallback_reason }),
          ...(error_code === undefined ? {} : { error_code }),
        }));
    expect(of(ids.flaky)).toEqual([
      { provider: 'obs-flaky', outcome: 'server_error', next: 'retry', error_code: 'server_error' },
      {
        provider: 'obs-flaky',
        outcome: 'server_error',
        next: 'move',
        fallback_reason: 'server_error',
        error_code: 'server_error',
      },
      { provider: 'obs-ok', outcome: 'succeeded', next: 'done' },
    ]);
    expect(of(ids.locked)).toEqual([
      {
        provider: 'obs-locked',
        outcome: 'authentication_failed',
        next: 'move',
        fallback_reason: 'authentication_failed',
        error_code: 'authentication_failed',
      },
      { provider: 'obs-ok', outcome: 'succeeded', next: 'done' },
    ]);
    expect(of(ids.doomed).map((line) => line.next)).toEqual(['retry', 'fail']);

    const failed = attempts.find((line) => line.next === 'fail');
    expect(failed?.error_message).toEqual(expect.stringContaining('obs-flaky'));
    const succeeded = attempts.filter((line) => line.outcome === 'succeeded');
    expect(succeeded).toHaveLength(5);
    for (const line of succeeded) {
      expect(line).toMatchObject({
        input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
        cost_usd: expect.any(Number),
      });
      expect(line).not.toHaveProperty('error_code');
    }
    const summed = succeeded.reduce((sum, line) => sum + (line.input_tokens as number), 0);
    expect(summed).toBe(metrics.value('switchyard_tokens_total', { provider: 'obs-ok', direction: 'input' }));
  });

  it('never logs a key, the webhook secret or the prompt', () => {
    const log = logLines.join('');
    // The log did capture the run, including the 401 that echoed the wrong key (masked).
    expect(log).toContain('authentication_failed');
    for (const secret of [
      PROVIDER_KEY,
      WRONG_PROVIDER_KEY,
      API_KEY,
      ADMIN_KEY,
      WEBHOOK_SECRET,
      TEXT,
      'The harbour froze',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('parseExposition', () => {
  it('reads escaped label values, special values and histograms', () => {
    const parsed = parseExposition(
      [
        '# HELP a_total A \\\\ counter\\nwith a newline',
        '# TYPE a_total counter',
        'a_total{path="C:\\\\x",quote="say \\"hi\\"",line="1\\n2"} 3',
        '# TYPE h histogram',
        'h_bucket{le="0.5"} 1',
        'h_bucket{le="+Inf"} 2',
        'h_sum 0.7',
        'h_count 2',
        '# TYPE g gauge',
        'g NaN',
        '',
      ].join('\n'),
    );
    expect(parsed.families.get('a_total')?.help).toBe('A \\ counter\nwith a newline');
    expect(parsed.samples('a_total')[0]?.labels).toEqual({ path: 'C:\\x', quote: 'say "hi"', line: '1\n2' });
    expect(parsed.histograms('h')).toEqual([
      {
        labels: {},
        buckets: [
          { le: 0.5, count: 1 },
          { le: Infinity, count: 2 },
        ],
        sum: 0.7,
        count: 2,
      },
    ]);
    expect(parsed.value('g', {})).toBeNaN();
  });

  it.each([
    ['a sample before its TYPE', 'x 1\n'],
    ['an unknown type', '# TYPE x widget\nx 1\n'],
    ['a duplicate series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['an unterminated label value', '# TYPE x gauge\nx{a="1} 1\n'],
    ['a value that is not a number', '# TYPE x gauge\nx one\n'],
    [
      'a histogram whose +Inf bucket is not its count',
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    ],
    [
      'a histogram with falling buckets',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
  ])('refuses %s', (_name, text) => {
    expect(() => parseExposition(text).histograms('h')).toThrow();
  });
});

// --- A small parser of the Prometheus text exposition format (version 0.0.4) ---------------

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

interface HistogramSeries {
  labels: Record<string, string>;
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

interface Exposition {
  families: Map<string, Family>;
  samples(family: string): Sample[];
  /** The value of the one series with exactly these labels (throws when absent). */
  value(family: string, labels: Record<string, string>): number;
  sum(family: string): number;
  /** Every series of a histogram, checked: buckets rising, `+Inf` equal to `_count`, a `_sum`. */
  histograms(family: string): HistogramSeries[];
}

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function unescapeHelp(text: string, escapes: Record<string, string>): string {
  return text.replace(/\\(.)/g, (whole, next: string) => escapes[next] ?? whole);
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`not a number: ${text}`);
  return Number(text);
}

/** `{a="1",b="x\"y"}` from `start` (at the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let index = start + 1;
  for (;;) {
    while (line[index] === ' ' || line[index] === ',') index++;
    if (line[index] === '}') return { labels, end: index + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(index))?.[0];
    if (!name || line.slice(index + name.length, index + name.length + 2) !== '="') {
      throw new Error(`bad label at ${index}: ${line}`);
    }
    index += name.length + 2;
    let value = '';
    for (;;) {
      const char = line[index];
      if (char === undefined) throw new Error(`unterminated label value: ${line}`);
      index++;
      if (char === '"') break;
      if (char === '\\') {
        const next = line[index++];
        value += next === 'n' ? '\n' : next === '\\' ? '\\' : next === '"' ? '"' : `\\${next}`;
      } else {
        value += char;
      }
    }
    if (name in labels) throw new Error(`label ${name} twice: ${line}`);
    labels[name] = value;
  }
}

function parseExposition(text: string): Exposition {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const familyOf = (name: string): Family | undefined => {
    const exact = families.get(name);
    if (exact) return exact;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const family = families.get(base);
    return family && (family.type === 'histogram' || family.type === 'summary') ? family : undefined;
  };

  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
      if (!match) continue; // any other comment
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      const family = families.get(name) ?? { name, type: 'untyped' as const, samples: [] };
      if (keyword === 'HELP') {
        family.help = unescapeHelp(rest, { '\\': '\\', n: '\n' });
      } else {
        if (!TYPES.has(rest)) throw new Error(`unknown type ${rest} of ${name}`);
        if (family.samples.length > 0) throw new Error(`TYPE of ${name} after its samples`);
        family.type = rest as Family['type'];
      }
      families.set(name, family);
      continue;
    }
    const name = METRIC_NAME.exec(line)?.[0];
    if (!name) throw new Error(`not a sample: ${line}`);
    let index = name.length;
    let labels: Record<string, string> = {};
    if (line[index] === '{') ({ labels, end: index } = parseLabels(line, index));
    const [valueText, timestamp, extra] = line.slice(index).trim().split(/\s+/);
    if (valueText === undefined || extra !== undefined || (timestamp && !/^-?\d+$/.test(timestamp))) {
      throw new Error(`bad sample: ${line}`);
    }
    const family = familyOf(name);
    if (!family) throw new Error(`sample of ${name} before its TYPE`);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`duplicate series ${series}`);
    seen.add(series);
    family.samples.push({ name, labels, value: parseValue(valueText) });
  }

  const samples = (family: string) => families.get(family)?.samples ?? [];
  const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
    JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

  return {
    families,
    samples,
    value(family, labels) {
      const found = samples(family).find((sample) => sameLabels(sample.labels, labels));
      if (!found) throw new Error(`no ${family} ${JSON.stringify(labels)}`);
      return found.value;
    },
    sum: (family) => samples(family).reduce((total, sample) => total + sample.value, 0),
    histograms(family) {
      const found = families.get(family);
      if (!found) return [];
      if (found.type !== 'histogram') throw new Error(`${family} is a ${found.type}`);
      const series = new Map<string, HistogramSeries>();
      const seriesOf = (labels: Record<string, string>) => {
        const key = JSON.stringify(Object.entries(labels).sort());
        let entry = series.get(key);
        if (!entry) {
          entry = { labels, buckets: [], sum: Number.NaN, count: Number.NaN };
          series.set(key, entry);
        }
        return entry;
      };
      for (const sample of found.samples) {
        if (sample.name === `${family}_bucket`) {
          const { le, ...labels } = sample.labels;
          if (le === undefined) throw new Error(`${family}_bucket without le`);
          seriesOf(labels).buckets.push({ le: parseValue(le), count: sample.value });
        } else if (sample.name === `${family}_sum`) {
          seriesOf(sample.labels).sum = sample.value;
        } else if (sample.name === `${family}_count`) {
          seriesOf(sample.labels).count = sample.value;
        } else {
          throw new Error(`${sample.name} in histogram ${family}`);
        }
      }
      for (const entry of series.values()) {
        const where = `${family}${JSON.stringify(entry.labels)}`;
        entry.buckets.forEach((bucket, index) => {
          const previous = entry.buckets[index - 1];
          if (previous && (bucket.le <= previous.le || bucket.count < previous.count)) {
            throw new Error(`${where}: buckets must rise`);
          }
        });
        if (entry.buckets.at(-1)?.le !== Infinity) throw new Error(`${where}: no +Inf bucket`);
        if (entry.buckets.at(-1)?.count !== entry.count) throw new Error(`${where}: +Inf is not _count`);
        if (Number.isNaN(entry.sum)) throw new Error(`${where}: no _sum`);
      }
      return [...series.values()];
    },
  };
}
