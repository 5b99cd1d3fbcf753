import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../../test/support/poll.ts';
import { countTokens } from './count-tokens.ts';
import { type Simulator, startSimulator } from './create-simulator.ts';
import { WIRE_FORMATS, type WireFormatKind } from './sim-config.ts';
import { summarize } from './summarize.ts';
import { ARTICLE, CLIENTS, send } from './test-support.ts';

/** Behaviour every wire format shares, checked through each format's own request and response shapes. */

const KEY = 'sim-secret-key-123';
let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({
    providers: WIRE_FORMATS.map((format) => ({
      id: `${format}-p`,
      format,
      apiKey: KEY,
      models: [{ name: 'm', contextWindow: 2_000 }],
    })),
  });
});

afterAll(async () => {
  await simulator?.close();
});

beforeEach(() => {
  simulator.reset();
  for (const format of WIRE_FORMATS)
    simulator.configure(`${format}-p`, { failures: null, down: null, latency: null });
});

const expected: Record<WireFormatKind, { unavailable: number; badKey: number; missingKey: number }> = {
  openai: { unavailable: 503, badKey: 401, missingKey: 401 },
  anthropic: { unavailable: 529, badKey: 401, missingKey: 401 },
  gemini: { unavailable: 503, badKey: 400, missingKey: 403 },
};

describe.each(WIRE_FORMATS)('%s format', (format) => {
  const client = CLIENTS[format];
  const id = `${format}-p`;
  const generate = (
    options: {
      model?: string;
      text?: string;
      maxTokens?: number;
      key?: string;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    } = {},
  ) =>
    send(client.generateUrl(simulator.baseUrlFor(id), options.model ?? 'm'), {
      body: client.body(options.model ?? 'm', options.text ?? ARTICLE, options.maxTokens),
      headers: { ...(options.key === '' ? {} : client.authHeaders(options.key ?? KEY)), ...options.headers },
      signal: options.signal,
    });

  it('answers with a deterministic summary made of input sentences', async () => {
    const first = await generate({ maxTokens: 200 });
    const second = await generate({ maxTokens: 200 });
    expect(first.status).toBe(200);
    const answer = client.read(first.json);
    expect(client.read(second.json).text).toBe(answer.text);
    expect(answer.finish).toBe('stop');
    expect(answer.inputTokens).toBe(countTokens('Summarise.') + countTokens(ARTICLE));
    expect(answer.outputTokens).toBe(countTokens(answer.text));
    for (const sentence of answer.text.split(/(?<=\.)\s+/)) expect(ARTICLE).toContain(sentence);
  });

  it('stops at max_tokens with a length finish reason when the summary does not fit', async () => {
    const answer = client.read((await generate({ maxTokens: 8 })).json);
    expect(answer).toMatchObject({ finish: 'length', outputTokens: 8 });
  });

  it('rejects a missing or wrong key', async () => {
    expect((await generate({ key: 'wrong-key-456' })).status).toBe(expected[format].badKey);
    expect((await generate({ key: '' })).status).toBe(expected[format].missingKey);
  });

  it('answers 404 for an unknown model and 400 for malformed JSON', async () => {
    expect((await generate({ model: 'no-such-model' })).status).toBe(404);
    const malformed = await send(client.generateUrl(simulator.baseUrlFor(id), 'm'), {
      body: '{"model": "m", "messages": [',
      headers: client.authHeaders(KEY),
    });
    expect(malformed.status).toBe(400);
  });

  it('answers 400 when input + max_tokens exceed the context window', async () => {
    const result = await generate({ text: 'word '.repeat(1_500), maxTokens: 200 });
    expect(result.status).toBe(400);
    expect(result.text).toMatch(/context|too long|exceeds/);
  });

  it('injects a 500, an unavailable answer and a spurious 429', async () => {
    simulator.configure(id, { failures: { serverError: 1 } });
    expect((await generate()).status).toBe(500);
    simulator.configure(id, { failures: { unavailable: 1 } });
    expect((await generate()).status).toBe(expected[format].unavailable);
    simulator.configure(id, { failures: { rateLimited: 1 } });
    expect((await generate()).status).toBe(429);
    expect(simulator.stats(id)).toMatchObject({
      requests: 3,
      succeeded: 0,
      rateLimited: 1,
      failuresInjected: { serverError: 1, unavailable: 1, rateLimited: 1 },
    });
  });

  it('injects a malformed 200 (body cut mid-JSON) and a truncated answer', async () => {
    const full = client.read((await generate({ maxTokens: 100 })).json);
    simulator.configure(id, { failures: { malformed: 1 } });
    const malformed = await generate();
    expect(malformed.status).toBe(200);
    expect(malformed.json).toBeUndefined();
    expect(malformed.text.length).toBeGreaterThan(10);

    simulator.configure(id, { failures: { truncated: 1 } });
    const truncated = client.read((await generate({ maxTokens: 100 })).json);
    expect(truncated.finish).toBe('length');
    expect(truncated.outputTokens).toBeLessThan(100);
    expect(full.text.startsWith(truncated.text)).toBe(true);
    expect(truncated.text.length).toBeLessThan(full.text.length);
  });

  it('injects a timeout (never answers) and a network reset', async () => {
    simulator.configure(id, { failures: { timeout: 1 } });
    await expect(generate({ signal: AbortSignal.timeout(150) })).rejects.toThrow(/abort|timeout/i);
    await until(() => simulator.stats(id).inFlight === 0, {
      timeoutMs: 2_000,
      message: 'no request in flight',
    });

    simulator.configure(id, { failures: { networkReset: 1 } });
    await expect(generate()).rejects.toThrow(/fetch failed/);
    expect(simulator.stats(id).failuresInjected).toMatchObject({ timeout: 1, networkReset: 1 });
  });

  it('can be taken down at runtime and brought back', async () => {
    simulator.configure(id, { down: 'unavailable' });
    expect((await generate()).status).toBe(expected[format].unavailable);
    simulator.configure(id, { down: 'reset' });
    await expect(generate()).rejects.toThrow(/fetch failed/);
    simulator.configure(id, { down: 'timeout' });
    await expect(generate({ signal: AbortSignal.timeout(100) })).rejects.toThrow(/abort|timeout/i);
    simulator.configure(id, { down: false });
    expect((await generate()).status).toBe(200);
    expect(simulator.stats(id)).toMatchObject({ requests: 4, succeeded: 1, outages: 3 });
  });

  it('logs each request with its job id, outcome and tokens', async () => {
    await generate({ headers: { 'x-switchyard-job-id': 'job-42' }, maxTokens: 50 });
    await generate({ model: 'nope' });
    const { log } = simulator.stats(id);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ model: 'm', status: 200, outcome: 'ok', jobId: 'job-42', latencyMs: 0 });
    expect(log[0]!.inputTokens).toBe(countTokens('Summarise.') + countTokens(ARTICLE));
    expect(log[0]!.outputTokens).toBe(summarize(ARTICLE, 50).outputTokens);
    expect(log[1]).toMatchObject({ model: 'nope', status: 404, outcome: 'not_found', jobId: null });
  });
});

it('gives the same summary in every format', async () => {
  const texts = await Promise.all(
    WIRE_FORMATS.map(async (format) => {
      const client = CLIENTS[format];
      const result = await send(client.generateUrl(simulator.baseUrlFor(`${format}-p`), 'm'), {
        body: client.body('m', ARTICLE, 256),
        headers: client.authHeaders(KEY),
      });
      return client.read(result.json).text;
    }),
  );
  expect(new Set(texts).size).toBe(1);
});
