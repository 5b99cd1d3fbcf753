import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './create-simulator.ts';
import { ARTICLE, send } from './test-support.ts';

let simulator: Simulator;
const model = { name: 'gemini-2.0-flash', contextWindow: 2_000 };

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      {
        id: 'gemini',
        format: 'gemini',
        apiKey: 'AIza-test',
        models: [model],
        limits: [{ requests: 2, per: '1m' }],
      },
      { id: 'gemini-daily', format: 'gemini', models: [model], limits: [{ requests: 1, per: '1d' }] },
    ],
  });
});

afterAll(async () => {
  await simulator?.close();
});

const generate = (
  body: Record<string, unknown> = {},
  options: { id?: string; key?: string; model?: string } = {},
) =>
  send(
    `${simulator.baseUrlFor(options.id ?? 'gemini')}/models/${options.model ?? model.name}:generateContent`,
    {
      body: { contents: [{ role: 'user', parts: [{ text: ARTICLE }] }], ...body },
      headers:
        options.key === undefined ? { 'x-goog-api-key': 'AIza-test' } : { 'x-goog-api-key': options.key },
    },
  );

describe('gemini wire format', () => {
  it('serves under {url}/{id}/v1beta like a Gemini base URL', () => {
    expect(simulator.baseUrlFor('gemini')).toBe(`${simulator.url}/gemini/v1beta`);
  });

  it('answers candidates with content.parts, finishReason and usageMetadata, without rate-limit headers', async () => {
    simulator.reset();
    const result = await generate({ generationConfig: { maxOutputTokens: 300 } });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      candidates: [
        { content: { parts: [{ text: expect.any(String) }], role: 'model' }, finishReason: 'STOP', index: 0 },
      ],
      usageMetadata: { promptTokenCount: expect.any(Number), candidatesTokenCount: expect.any(Number) },
      modelVersion: 'gemini-2.0-flash',
    });
    const usage = result.json.usageMetadata;
    expect(usage.totalTokenCount).toBe(usage.promptTokenCount + usage.candidatesTokenCount);
    expect([...result.headers.keys()].some((name) => name.includes('ratelimit'))).toBe(false);
  });

  it('accepts the key as ?key= too', async () => {
    simulator.reset();
    const result = await send(
      `${simulator.baseUrlFor('gemini')}/models/${model.name}:generateContent?key=AIza-test`,
      {
        body: { contents: [{ parts: [{ text: 'Hello.' }] }] },
      },
    );
    expect(result.status).toBe(200);
  });

  it('answers 429 RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo details', async () => {
    simulator.reset();
    expect((await generate()).status).toBe(200);
    expect((await generate()).status).toBe(200);
    const refused = await generate();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.json.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    const [quotaFailure, , retryInfo] = refused.json.error.details;
    expect(quotaFailure).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
          quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
        },
      ],
    });
    expect(retryInfo['@type']).toBe('type.googleapis.com/google.rpc.RetryInfo');
    const delaySeconds = Number(retryInfo.retryDelay.replace(/s$/, ''));
    expect(delaySeconds).toBeGreaterThanOrEqual(59);
    expect(delaySeconds).toBeLessThanOrEqual(60);
  });

  it('names the per-day quota when the day limit is the one violated', async () => {
    expect((await generate({}, { id: 'gemini-daily' })).status).toBe(200);
    const refused = await generate({}, { id: 'gemini-daily' });
    expect(refused.status).toBe(429);
    expect(refused.json.error.details[0].violations[0].quotaId).toBe(
      'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
    );
  });

  it('writes errors as {error: {code, message, status}} like Google APIs', async () => {
    simulator.reset();
    const unknown = await generate({}, { model: 'gemini-9' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(unknown.json.error.message).toMatch(/^models\/gemini-9 is not found/);

    const badKey = await generate({}, { key: 'AIza-wrong' });
    expect(badKey.status).toBe(400);
    expect(badKey.json.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      details: [{ reason: 'API_KEY_INVALID' }],
    });

    const tooLong = await generate({
      contents: [{ role: 'user', parts: [{ text: 'a'.repeat(8_400) }] }],
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toEqual({
      code: 400,
      status: 'INVALID_ARGUMENT',
      message: 'The input token count (2100) exceeds the maximum number of tokens allowed (2000).',
    });

    simulator.configure('gemini', { failures: { serverError: 1 } });
    const internal = await generate();
    simulator.configure('gemini', { failures: null });
    expect(internal.json.error).toMatchObject({ code: 500, status: 'INTERNAL' });
  });

  it('streams SSE chunks with ?alt=sse, finishReason on the last one', async () => {
    simulator.reset();
    const plain = await generate({ generationConfig: { maxOutputTokens: 300 } });
    const streamed = await send(
      `${simulator.baseUrlFor('gemini')}/models/${model.name}:streamGenerateContent?alt=sse`,
      {
        body: {
          contents: [{ role: 'user', parts: [{ text: ARTICLE }] }],
          generationConfig: { maxOutputTokens: 300 },
        },
        headers: { 'x-goog-api-key': 'AIza-test' },
      },
    );
    const chunks = streamed.text
      .split('\r\n\r\n')
      .filter(Boolean)
      .map((event) => JSON.parse(event.replace(/^data: /, '')));
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts[0].text).join('')).toBe(
      plain.json.candidates[0].content.parts[0].text,
    );
    expect(chunks.at(-1).candidates[0].finishReason).toBe('STOP');
  });
});
