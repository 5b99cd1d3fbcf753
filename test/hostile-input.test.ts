import { buildApp } from '@switchyard/app/app';
import { createServices, type Services } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';

// Input no client should send is refused with a coded 400 before any job exists.

const KEY = 'hostile-key-0123456789abcdef';
const prefix = testPrefix();
let services: Services;
let app: Awaited<ReturnType<typeof buildApp>>;

beforeAll(async () => {
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        {
          id: 'unused',
          kind: 'openai',
          baseUrl: 'http://127.0.0.1:9',
          tier: 'free',
          dataPolicy: 'may-train',
          models: [{ name: 'm', contextWindow: 4_000 }],
        },
      ],
      routes: { main: { targets: ['unused/m'] } },
      redis: { url: REDIS_URL, prefix },
      results: { retention: '7d' },
      auth: { apiKeys: [{ key: KEY, tenant: 'acme' }] },
    },
    {},
  );
  services = createServices(config);
  app = await buildApp(services);
});

afterAll(async () => {
  await app.close();
  await services.close();
  await deleteKeys(prefix);
});

const post = (url: string, payload: string | object) =>
  app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
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
    expect(await services.redis.keys(`${prefix}:job:*`)).toEqual([]);
  });
});
