import { createBrokerFor } from '@switchyard/app/broker';
import type { Broker, Job } from '@switchyard/broker';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support/poll.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';
import { type SwitchyardProcess, startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// The synchronous fast path (packages/broker/src/fast-path.ts): the API process makes a waiting
// client's first attempt itself. These tests kill that process with SIGKILL at each step and
// check that the job still reaches exactly one terminal state, through the sweeper; and that a
// streamed answer it runs reaches its client whole.

const KEY = 'fast-path-key-0123456789';
const LEASE_MS = 1_000;
let simulator: Simulator;
let redis: Redis;
const prefixes: string[] = [];
const brokers: Broker[] = [];
const processes: SwitchyardProcess[] = [];
let counter = 0;

beforeAll(async () => {
  simulator = await startSimulator({ providers: [] });
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  for (const running of processes.splice(0)) running.child.kill('SIGKILL');
});

afterAll(async () => {
  await simulator.close();
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
  await redis.quit();
});

function simulated(name: string, latencyMs: number) {
  const id = `${name}-${++counter}`;
  simulator.addProvider({
    id,
    format: 'openai',
    models: [{ name: 'm', contextWindow: 8_000 }],
    limits: [],
    latency: { kind: 'fixed', ms: latencyMs },
  } as Parameters<Simulator['addProvider']>[0]);
  return {
    id,
    kind: 'openai',
    baseUrl: simulator.baseUrlFor(id),
    apiKey: 'sim-key',
    models: [{ name: 'm', contextWindow: 8_000 }],
    limits: [{ requests: 100, per: '1m' }],
    concurrency: 4,
    timeout: '10s',
  };
}

/** A route `[first -> second]`, an API process that runs the fast path, and a broker to watch. */
async function setUp(firstLatencyMs: number) {
  const first = simulated('first', firstLatencyMs);
  const second = simulated('second', 0);
  const prefix = testPrefix();
  prefixes.push(prefix);
  const raw = {
    presets: 'off',
    providers: [first, second],
    routes: { main: { strategy: 'priority', targets: [`${first.id}/m`, `${second.id}/m`] } },
    redis: { url: REDIS_URL, prefix },
    auth: { apiKeys: [{ key: KEY, tenant: 't' }] },
    server: { port: 0 },
  };
  const api = await startSwitchyard({
    SWITCHYARD_CONFIG: writeConfig(raw),
    SWITCHYARD_ROLE: 'api',
    SWITCHYARD_LOCK_DURATION_MS: String(LEASE_MS),
  });
  processes.push(api);
  const url = String(api.ready.api);
  const broker = createBrokerFor(parseConfig(raw, {}), { lockDurationMs: LEASE_MS, stalledIntervalMs: 500 });
  brokers.push(broker);
  const request = fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'main', messages: [{ role: 'user', content: 'One. Two. Three.' }] }),
  }).catch(() => undefined);
  return { first, second, prefix, api, broker, request };
}

const WEATHER: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** A streamed completion as its client assembles it, and the job that answered it. */
async function streamed(client: OpenAI, body: Omit<OpenAI.ChatCompletionCreateParamsStreaming, 'stream'>) {
  const { data, response } = await client.chat.completions.create({ ...body, stream: true }).withResponse();
  let text = '';
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  for await (const chunk of data) {
    const delta = chunk.choices[0]?.delta;
    text += delta?.content ?? '';
    for (const piece of delta?.tool_calls ?? []) {
      calls[piece.index] ??= { arguments: '' };
      const call = calls[piece.index]!;
      call.id ??= piece.id;
      call.name ??= piece.function?.name;
      call.arguments += piece.function?.arguments ?? '';
    }
  }
  return { text, calls, jobId: response.headers.get('x-switchyard-job-id')! };
}

/** The one job of the run, once its record exists. */
async function theJob(broker: Broker): Promise<Job> {
  let found: Job | undefined;
  await until(
    async () => {
      const [id] = await redis.zrange(broker.keys.openJobs, 0, 0);
      found = id ? await broker.get(id) : undefined;
      return found !== undefined;
    },
    { message: 'the job record to exist' },
  );
  return found!;
}

/** Runs the sweeper until the job is terminal; the job as it ended. */
async function sweptToTheEnd(broker: Broker, id: string): Promise<Job> {
  await broker.startWorkers();
  let done: Job | undefined;
  await until(
    async () => {
      await broker.sweeper.sweep();
      done = await broker.get(id);
      return done !== undefined && ['succeeded', 'failed', 'cancelled'].includes(done.status);
    },
    { message: 'the job to end', timeoutMs: 20_000 },
  );
  return done!;
}

describe('synchronous fast path', () => {
  it('makes the first attempt in the API process: no queue entry, the record written first', async () => {
    const { broker, request, first } = await setUp(0);
    const response = await request;
    expect(response?.status).toBe(200);
    const id = response!.headers.get('x-switchyard-job-id')!;
    const job = (await broker.get(id))!;
    expect(job.status).toBe('succeeded');
    expect(job.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual([
      `${first.id}:succeeded`,
    ]);
    // The worker's queue never saw it, and the sweeper's index no longer holds it.
    expect(await broker.queue(`provider.${first.id}`).getJob(`${id}-0`)).toBeUndefined();
    expect(await redis.zscore(broker.keys.openJobs, id)).toBeNull();
    expect(await redis.zscore(broker.keys.fastCalls(first.id), id)).toBeNull();
  });

  it('serves POST /v1/jobs?wait=N on the fast path: 200 with the finished job', async () => {
    const { broker, api, request, first } = await setUp(0);
    await request;
    const response = await fetch(`${api.ready.api}/jobs?wait=10`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'main', prompt: 'One. Two. Three.' }),
    });
    expect(response.status).toBe(200);
    const view = (await response.json()) as { id: string; status: string; attempts: unknown[] };
    expect(view.status).toBe('succeeded');
    expect(view.attempts).toHaveLength(1);
    expect(await broker.queue(`provider.${first.id}`).getJob(`${view.id}-0`)).toBeUndefined();
  });

  it('streams on the fast path: tool calls and text answers reach their clients whole', async () => {
    const fast = simulated('streamed', 0);
    const slow = simulated('slow', 3_000);
    const prefix = testPrefix();
    prefixes.push(prefix);
    const raw = {
      presets: 'off',
      providers: [fast, slow],
      routes: { main: { targets: [`${fast.id}/m`] }, slow: { targets: [`${slow.id}/m`] } },
      redis: { url: REDIS_URL, prefix },
      auth: { apiKeys: [{ key: KEY, tenant: 't' }] },
      server: { port: 0 },
    };
    // An API process alone: no worker runs, so only the fast path can answer.
    const api = await startSwitchyard({ SWITCHYARD_CONFIG: writeConfig(raw), SWITCHYARD_ROLE: 'api' });
    processes.push(api);
    const broker = createBrokerFor(parseConfig(raw, {}));
    brokers.push(broker);
    const client = new OpenAI({ baseURL: String(api.ready.api), apiKey: KEY, maxRetries: 0 });
    const question = { role: 'user' as const, content: 'Weather in Paris?' };
    // A stream that waits on its provider keeps the process's shared stream read blocked: each
    // reader below joins it mid-round, and its job may end before that round does (such a
    // reader once ended with no text). The simulator answers a one-sentence prompt with it.
    const sentence = 'This answer waits three seconds.';
    const waiting = streamed(client, { model: 'slow', messages: [{ role: 'user', content: sentence }] });
    const roundTrip = async () => {
      const first = await streamed(client, { model: 'main', messages: [question], tools: [WEATHER] });
      expect(first.text).toBe('');
      expect(first.calls).toEqual([
        { id: expect.any(String), name: 'weather', arguments: '{"city":"Weather in Paris?"}' },
      ]);
      const call = first.calls[0]!;
      const toolCall = {
        id: call.id!,
        type: 'function' as const,
        function: { name: 'weather', arguments: call.arguments },
      };
      const answer = await streamed(client, {
        model: 'main',
        messages: [
          question,
          { role: 'assistant', content: null, tool_calls: [toolCall] },
          { role: 'tool', tool_call_id: call.id!, content: 'sunny' },
        ],
        tools: [WEATHER],
      });
      expect(answer.text).toBe('Tool result: sunny');
      return [first.jobId, answer.jobId];
    };
    const jobIds: string[] = [];
    for (let round = 0; round < 3; round++)
      jobIds.push(...(await Promise.all([roundTrip(), roundTrip(), roundTrip()])).flat());
    expect((await waiting).text).toBe(sentence);
    // Each took the fast path: no queue entry, one attempt.
    for (const id of jobIds) {
      expect(await broker.queue(`provider.${fast.id}`).getJob(`${id}-0`)).toBeUndefined();
      expect((await broker.get(id))?.attempts.map((attempt) => attempt.outcome)).toEqual(['succeeded']);
    }
  });

  it("sends the tenant's admission with the fast path's script: a refused job is not recorded", async () => {
    const only = simulated('admitted', 0);
    const prefix = testPrefix();
    prefixes.push(prefix);
    const raw = {
      presets: 'off',
      providers: [only],
      routes: { main: { strategy: 'priority', targets: [`${only.id}/m`] } },
      redis: { url: REDIS_URL, prefix },
      tenantDefaults: { limits: { queuedJobs: 1 } },
    };
    const broker = createBrokerFor(parseConfig(raw, {}), { lockDurationMs: LEASE_MS });
    brokers.push(broker);
    const request = { tenant: 't', route: 'main', messages: [{ role: 'user' as const, content: 'One.' }] };
    // No worker runs: the first job stays queued and takes the tenant's one place.
    await broker.submit(request);
    await expect(broker.submit({ ...request, sync: true })).rejects.toMatchObject({ code: 'queue_full' });
    expect(await redis.zcard(broker.keys.openJobs)).toBe(1);
    expect(await redis.zcard(broker.keys.fastCalls(only.id))).toBe(0);
    expect((await simulator.stats(only.id)).requests).toBe(0);
  });

  it('SIGKILL right after the record: the sweeper moves the job on once its lease ended', async () => {
    const { broker, api, first, second } = await setUp(2_000);
    const job = await theJob(broker);
    api.child.kill('SIGKILL');
    expect(job.status).toBe('running');
    const done = await sweptToTheEnd(broker, job.id);
    expect(done.status).toBe('succeeded');
    expect(
      done.attempts.map((attempt) => `${attempt.provider}:${attempt.error?.code ?? attempt.outcome}`),
    ).toEqual([`${first.id}:worker_lost`, `${second.id}:succeeded`]);
  });

  it('SIGKILL during the provider call: one terminal state, one success', async () => {
    const { broker, api, first, second } = await setUp(2_000);
    await until(async () => (await simulator.stats(first.id)).inFlight > 0, {
      message: 'the call to reach the first provider',
    });
    const job = await theJob(broker);
    api.child.kill('SIGKILL');
    // While the lease lasts, the sweeper leaves the job to the process it believes alive.
    await broker.sweeper.sweep();
    expect((await broker.get(job.id))?.status).toBe('running');
    const done = await sweptToTheEnd(broker, job.id);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.filter((attempt) => attempt.outcome === 'succeeded')).toHaveLength(1);
    expect(done.result?.provider).toBe(second.id);
  });

  it('SIGKILL after the answer was recorded: the job stays succeeded, nothing runs again', async () => {
    const { broker, api, first, second } = await setUp(300);
    const job = await theJob(broker);
    await until(async () => (await broker.get(job.id))?.status === 'succeeded', {
      message: 'the answer to be recorded',
    });
    api.child.kill('SIGKILL');
    const done = await sweptToTheEnd(broker, job.id);
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((attempt) => `${attempt.provider}:${attempt.outcome}`)).toEqual([
      `${first.id}:succeeded`,
    ]);
    expect((await simulator.stats(second.id)).requests).toBe(0);
  });
});
