import { type Broker, createBroker } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { countTokens, type Simulator, startSimulator } from '@switchyard/provider-sim';
import { createProviderAdapters } from '@switchyard/providers';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../../apps/provider-sim/src/summarize.ts';
import { until } from '../../../test/support/poll.ts';
import { BatchError } from './batch-error.ts';
import { type Batches, type BatchesOptions, createBatches } from './create-batches.ts';
import { createFileStore, type FileStore } from './create-file-store.ts';
import { collect, connect, deleteKeys, testPrefix } from './test-support.ts';
import type { Batch } from './to-batch.ts';

// Batches end to end: a real Redis, the broker with its workers, the provider simulator.

let simulator: Simulator;
let redis: Redis;
const prefixes: string[] = [];
const closers: (() => Promise<void>)[] = [];
let counter = 0;

beforeAll(async () => {
  simulator = await startSimulator({ providers: [] });
  redis = connect();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

afterAll(async () => {
  await simulator.close();
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  await redis.quit();
});

/** A simulated provider and its Switchyard entry; `apiKey: 'wrong'` makes every call fail. */
function provider(name: string, options: { latencyMs?: number; apiKey?: string; concurrency?: number } = {}) {
  const id = `${name}-${++counter}`;
  simulator.addProvider({
    id,
    format: 'openai',
    apiKey: 'sim-key',
    models: [{ name: 'm', contextWindow: 32_000 }],
    ...(options.latencyMs ? { latency: { kind: 'fixed', ms: options.latencyMs } } : {}),
  });
  return {
    id,
    kind: 'openai',
    baseUrl: simulator.baseUrlFor(id),
    apiKey: options.apiKey ?? 'sim-key',
    tier: 'free',
    dataPolicy: 'may-train',
    models: [{ name: 'm', contextWindow: 32_000, price: { input: 0, output: 0 } }],
    concurrency: options.concurrency ?? 4,
    timeout: '10s',
  };
}

interface Stack {
  prefix: string;
  broker: Broker;
  files: FileStore;
  batches: Batches;
  /** Batches handed to `onCompleted`, in order. */
  completed: Batch[];
  /** Another batches service on the same Redis (a second process, after a restart). */
  startBatches(options?: Partial<BatchesOptions>): Promise<Batches>;
}

async function startStack(
  providers: ReturnType<typeof provider>[],
  options: {
    routes?: Record<string, unknown>;
    batches?: Partial<BatchesOptions>;
    batchWorkers?: boolean;
  } = {},
): Promise<Stack> {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const config = parseConfig(
    {
      presets: 'off',
      providers,
      routes: options.routes ?? {
        main: { strategy: 'weighted', targets: providers.map((entry) => `${entry.id}/m`) },
      },
      redis: { url: 'redis://127.0.0.1:6379', prefix },
      scheduling: { retriesPerTarget: 0 },
    },
    {},
  );
  const completed: Batch[] = [];
  let current: Batches | undefined;
  const broker = createBroker({
    config,
    adapters: createProviderAdapters(config.providers),
    redis,
    onTerminal: (job) => current!.onJobTerminal(job),
  });
  closers.push(() => broker.close());
  const files = createFileStore({ redis, prefix, retentionMs: 3_600_000 });
  const startBatches = async (extra: Partial<BatchesOptions> = {}) => {
    const batches = createBatches({
      redis,
      prefix,
      broker,
      files,
      retentionMs: 3_600_000,
      onCompleted: async (batch) => {
        completed.push(batch);
      },
      ...options.batches,
      ...extra,
    });
    current = batches;
    closers.push(() => batches.close());
    if (options.batchWorkers !== false) await batches.startWorkers();
    return batches;
  };
  const batches = await startBatches();
  await broker.startWorkers();
  return { prefix, broker, files, batches, completed, startBatches };
}

const line = (customId: string, model: string, content = `Request ${customId}. Keep it short.`) =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content }], max_tokens: 16 },
  });

/** An output or error file line, as a client reads it. */
interface ResultLine {
  id: string;
  custom_id: string;
  response: {
    status_code: number;
    request_id: string;
    body: { choices: { message: { content: string } }[] };
  } | null;
  error: { code: string; message: string } | null;
}

const parse = (lines: string[]) => lines.map((entry) => JSON.parse(entry) as ResultLine);

async function finished(stack: Stack, id: string, timeoutMs = 20_000): Promise<Batch> {
  return until(() => stack.completed.find((batch) => batch.id === id), {
    timeoutMs,
    message: `batch ${id} to complete`,
  });
}

describe('batches', () => {
  it('runs a batch over two providers to completed, with output and error files', async () => {
    const a = provider('a');
    const b = provider('b');
    const locked = provider('locked', { apiKey: 'wrong' });
    const stack = await startStack([a, b, locked], {
      routes: {
        main: { strategy: 'weighted', targets: [`${a.id}/m`, `${b.id}/m`] },
        locked: { strategy: 'priority', targets: [`${locked.id}/m`] },
      },
    });
    const lines = Array.from({ length: 50 }, (_, index) =>
      line(`req-${index}`, index % 10 === 3 ? 'locked' : 'main'),
    );
    const file = await stack.files.createFromLines('acme', { filename: 'in.jsonl', purpose: 'batch' }, lines);

    const created = await stack.batches.create('acme', {
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { project: 'docs' },
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^batch_[A-Za-z0-9_-]+$/),
      object: 'batch',
      status: 'validating',
      input_file_id: file.id,
      request_counts: { total: 50, completed: 0, failed: 0 },
      metadata: { project: 'docs' },
      output_file_id: null,
    });
    expect(created.expires_at! - created.created_at).toBe(86_400);

    const done = await finished(stack, created.id);
    expect(stack.completed.filter((batch) => batch.id === created.id)).toHaveLength(1);
    const batch = (await stack.batches.get('acme', created.id))!;
    expect(batch).toEqual(done);
    expect(batch).toMatchObject({
      status: 'completed',
      request_counts: { total: 50, completed: 45, failed: 5 },
      output_file_id: `file-${created.id}-output`,
      error_file_id: `file-${created.id}-errors`,
    });
    for (const field of ['in_progress_at', 'finalizing_at', 'completed_at'] as const)
      expect(batch[field]).toBeGreaterThanOrEqual(batch.created_at);
    // The weighted route draws a provider per job, so the split varies; the sum does not.
    expect(simulator.stats(a.id).succeeded + simulator.stats(b.id).succeeded).toBe(45);
    expect(simulator.stats(a.id).succeeded).toBeGreaterThan(0);
    expect(simulator.stats(b.id).succeeded).toBeGreaterThan(0);

    const outputFile = (await stack.files.get('acme', batch.output_file_id!))!;
    const output = await collect(stack.files.readLines('acme', batch.output_file_id!));
    expect(outputFile.bytes).toBe(output.reduce((sum, entry) => sum + Buffer.byteLength(entry) + 1, 0));
    expect(outputFile.purpose).toBe('batch_output');
    const outputLines = parse(output);
    expect(outputLines.map((entry) => entry.custom_id).sort()).toEqual(
      lines
        .map((entry) => JSON.parse(entry))
        .filter((entry) => entry.body.model === 'main')
        .map((entry) => entry.custom_id)
        .sort(),
    );
    const first = outputLines[0]!;
    expect(first).toMatchObject({
      id: expect.stringMatching(/^batch_req_/),
      response: {
        status_code: 200,
        request_id: expect.stringContaining(created.id),
        body: {
          object: 'chat.completion',
          model: 'main',
          switchyard: { provider: expect.stringMatching(/^(a|b)-/), model: 'm', job_id: expect.any(String) },
          choices: [
            { index: 0, message: { role: 'assistant', content: expect.any(String) }, finish_reason: 'stop' },
          ],
          usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
        },
      },
      error: null,
    });
    // The simulator's summary and token counts of that line's message.
    const prompt = `Request ${first.custom_id}. Keep it short.`;
    const summary = summarize(prompt, 16);
    expect(first.response!.body.choices[0]!.message.content).toBe(summary.text);
    expect(first.response!.body).toMatchObject({
      usage: { prompt_tokens: countTokens(prompt), completion_tokens: summary.outputTokens },
    });

    const errors = parse(await collect(stack.files.readLines('acme', batch.error_file_id!)));
    expect(Object.fromEntries(errors.map((entry) => [entry.custom_id, entry.error!.code]))).toEqual({
      'req-3': 'all_targets_failed',
      'req-13': 'all_targets_failed',
      'req-23': 'all_targets_failed',
      'req-33': 'all_targets_failed',
      'req-43': 'all_targets_failed',
    });
    expect(errors.every((entry) => entry.response === null && entry.error!.message.length > 0)).toBe(true);
    expect(await collect(stack.batches.readOutput('acme', batch.id))).toEqual(output);

    // Tenant-scoped, listed newest first.
    expect(await stack.batches.get('globex', batch.id)).toBeUndefined();
    expect(await stack.files.get('globex', batch.output_file_id!)).toBeUndefined();
    await expect(collect(stack.batches.readErrors('globex', batch.id))).rejects.toMatchObject({
      code: 'not_found',
    });
    const second = await stack.batches.create('acme', {
      requests: [JSON.parse(line('only', 'main'))],
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const listed = await stack.batches.list('acme', { limit: 1 });
    expect(listed).toMatchObject({ object: 'list', first_id: second.id, last_id: second.id, has_more: true });
    const next = await stack.batches.list('acme', { after: second.id });
    expect(next).toMatchObject({ data: [{ id: batch.id }], has_more: false });
    expect((await stack.batches.list('globex')).data).toEqual([]);
    await finished(stack, second.id);

    // A file naming a model the configuration lacks fails while it validates, saying where.
    const unknown = await stack.files.createFromLines('acme', { filename: 'bad.jsonl', purpose: 'batch' }, [
      line('fine', 'main'),
      line('lost', 'no-such-route'),
    ]);
    const refused = await stack.batches.create('acme', {
      input_file_id: unknown.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(await finished(stack, refused.id)).toMatchObject({
      status: 'failed',
      errors: { data: [{ code: 'unknown_route', line: 2, param: 'body.model' }] },
      request_counts: { total: 2, completed: 0, failed: 0 },
    });
  });

  it('resumes submission from its cursor after the submitting process stops', async () => {
    const a = provider('resume');
    const submitted: number[] = [];
    let firstClosed: Promise<void> | undefined;
    const stack = await startStack([a], {
      batches: { pageSize: 10 },
      batchWorkers: false,
    });
    const first = stack.batches;
    const created = await first.create('acme', {
      // Inline requests without a model: the batch route stands in for it.
      requests: Array.from({ length: 35 }, (_, index) => {
        const request = JSON.parse(line(`r-${index}`, 'ignored'));
        delete request.body.model;
        return request;
      }),
      route: 'main',
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(created.route).toBe('main');

    // The first process stops after its first page of 10 lines.
    const stopping = createBatches({
      redis,
      prefix: stack.prefix,
      broker: stack.broker,
      files: stack.files,
      retentionMs: 3_600_000,
      pageSize: 10,
      onProgress: (_id, count) => {
        submitted.push(count);
        firstClosed ??= stopping.close();
      },
    });
    await stopping.startWorkers();
    await until(() => firstClosed !== undefined, { message: 'the first process to stop after a page' });
    await firstClosed;
    const interrupted = (await stack.batches.get('acme', created.id))!;
    expect(interrupted.status).toBe('in_progress');
    expect(await redis.hget(stack.files.keys.batch(created.id), 'cursor')).toBe('10');

    const second = await stack.startBatches({ onProgress: (_id, count) => void submitted.push(count) });
    await second.startWorkers();
    const done = await finished(stack, created.id);
    expect(submitted).toEqual([10, 20, 30, 35]);
    expect(done).toMatchObject({
      status: 'completed',
      request_counts: { total: 35, completed: 35, failed: 0 },
    });
    // Every line ran exactly once.
    expect(simulator.stats(a.id).requests).toBe(35);
    const output = parse(await collect(second.readOutput('acme', created.id)));
    expect(new Set(output.map((entry) => entry.custom_id)).size).toBe(35);
  });

  it('cancels a batch of slow jobs: cancelled, with every line counted', async () => {
    const slow = provider('slow', { latencyMs: 3_000, concurrency: 2 });
    const stack = await startStack([slow], { batches: { pageSize: 5 } });
    const file = await stack.files.createFromLines(
      'acme',
      { filename: 'slow.jsonl', purpose: 'batch' },
      Array.from({ length: 20 }, (_, index) => line(`s-${index}`, 'main')),
    );
    const created = await stack.batches.create('acme', {
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    await until(() => simulator.stats(slow.id).inFlight > 0, {
      message: 'a line in flight on the slow provider',
    });

    const cancelling = (await stack.batches.cancel('acme', created.id))!;
    expect(cancelling.status).toBe('cancelling');
    expect(cancelling.cancelling_at).toEqual(expect.any(Number));
    const done = await finished(stack, created.id);
    expect(done.status).toBe('cancelled');
    expect(done.cancelled_at).toEqual(expect.any(Number));
    const { total, completed, failed } = done.request_counts;
    expect(total).toBe(20);
    expect(completed + failed).toBe(total);
    expect(failed).toBeGreaterThanOrEqual(18);

    const errors = parse(await collect(stack.batches.readErrors('acme', created.id)));
    expect(errors).toHaveLength(failed);
    // Jobs cancelled in flight or in their queue; lines not yet submitted when the cancel came.
    for (const entry of errors) expect(['cancelled', 'batch_cancelled']).toContain(entry.error!.code);
    expect(await stack.batches.cancel('acme', created.id)).toMatchObject({ status: 'cancelled' });
    expect(await stack.batches.cancel('globex', created.id)).toBeUndefined();
  });

  it('cancels a batch before any line is submitted: every line fails as never submitted', async () => {
    const stack = await startStack([provider('idle')], { batchWorkers: false });
    const created = await stack.batches.create('acme', {
      requests: Array.from({ length: 12 }, (_, index) => JSON.parse(line(`n-${index}`, 'main'))),
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect((await stack.batches.cancel('acme', created.id))!.status).toBe('cancelling');
    await stack.batches.startWorkers();
    const done = await finished(stack, created.id);
    expect(done).toMatchObject({
      status: 'cancelled',
      request_counts: { total: 12, completed: 0, failed: 12 },
      output_file_id: null,
      error_file_id: `file-${created.id}-errors`,
    });
    const errors = parse(await collect(stack.files.readLines('acme', done.error_file_id!)));
    expect(errors.map((entry) => entry.custom_id)).toEqual(
      Array.from({ length: 12 }, (_, index) => `n-${index}`),
    );
    expect(errors.every((entry) => entry.error!.code === 'batch_cancelled')).toBe(true);
  });

  it('refuses bad parameters, unknown files and bad inline requests', async () => {
    const stack = await startStack([provider('params')], { batchWorkers: false });
    const base = { endpoint: '/v1/chat/completions', completion_window: '24h' };
    const refusal = (params: Record<string, unknown>) =>
      stack.batches.create('acme', { ...base, ...params } as never).catch((error: unknown) => error);

    const file = await stack.files.createFromLines('acme', { filename: 'x.jsonl', purpose: 'batch' }, [
      line('x', 'main'),
    ]);
    expect(await refusal({ input_file_id: file.id, endpoint: '/v1/embeddings' })).toMatchObject({
      code: 'invalid_request',
      details: { field: 'endpoint' },
    });
    expect(await refusal({ input_file_id: file.id, completion_window: '1h' })).toMatchObject({
      details: { field: 'completion_window' },
    });
    expect(await refusal({ input_file_id: file.id, deadline: Date.now() - 1 })).toMatchObject({
      details: { field: 'deadline' },
    });
    expect(await refusal({ input_file_id: file.id, metadata: { key: 42 } })).toMatchObject({
      details: { field: 'metadata' },
    });
    expect(await refusal({})).toMatchObject({ details: { field: 'input_file_id' } });
    const foreign = await refusal({ input_file_id: file.id, requests: [] });
    expect(BatchError.isInstance(foreign)).toBe(true);
    expect(
      await stack.batches.create('globex', { ...base, input_file_id: file.id }).catch((error) => error),
    ).toMatchObject({
      code: 'file_not_found',
    });
    expect(
      await refusal({ requests: [JSON.parse(line('a', 'main')), { custom_id: 'a', method: 'POST' }] }),
    ).toMatchObject({
      code: 'invalid_file',
      details: [{ line: 2, message: 'url: expected "/v1/chat/completions"' }],
    });
    // Unknown routes are refused when the batch is created, not line by line as it runs.
    expect(await refusal({ input_file_id: file.id, route: 'nowhere' })).toMatchObject({
      code: 'unknown_route',
      details: { field: 'route' },
    });
    expect(
      await refusal({ requests: [JSON.parse(line('a', 'main')), JSON.parse(line('b', 'elsewhere/m'))] }),
    ).toMatchObject({
      code: 'invalid_file',
      details: [{ line: 2, message: expect.stringMatching(/^body.model: No configured provider\/model/) }],
    });
  });
});
