import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, startHarness } from './support/app-harness.ts';

// Input no client should send is refused with a coded 400 before any job exists.

const KEY = 'hostile-key-0123456789abcdef';
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    providers: [{ id: 'hostile-sim', format: 'openai', models: [{ name: 'm', contextWindow: 4_000 }] }],
    routes: { main: { targets: ['hostile-sim/m'] } },
    auth: { apiKeys: [{ key: KEY, tenant: 'acme' }] },
    config: { results: { retention: '7d' } },
    workers: false,
  });
});

afterAll(() => harness.close());

const post = (url: string, payload: string | object) =>
  harness.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(KEY), 'content-type': 'application/json' },
    payload,
  });

describe('hostile input', () => {
  it.each(['/v1/jobs', '/v1/chat/completions'])('refuses JSON nested 20,000 deep on %s', async (url) => {
    const response = await post(url, `{"metadata":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_json');
  });

  it.each([
    ['/v1/jobs', { route: 'main', prompt: 'hi' }],
    ['/v1/chat/completions', { model: 'main', messages: [{ role: 'user', content: 'hi' }] }],
  ])('refuses a deadline past the retention on %s, naming the field', async (url, body) => {
    for (const deadline of ['9999999999999999w', '8d', '+275760-09-13T00:00:00Z']) {
      const response = await post(url, { ...body, deadline });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'invalid_request',
        details: { field: 'deadline' },
      });
    }
    // Nothing was accepted: no job record exists under this prefix.
    expect(await harness.services.redis.keys(`${harness.prefix}:job:*`)).toEqual([]);
  });
});
