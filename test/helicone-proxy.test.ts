import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { send } from './support/balanced-client.ts';
import { FLEET_AUTH, FLEET_KEY } from './support/fleet-config.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './support/redis-prefix.ts';
import { startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// A provider behind Helicone's proxy (docs/providers.md, "Behind a proxy: Helicone"): the
// proxy's base URL and a per-provider `Helicone-Auth` header. A local server stands in for
// the proxy: it checks the header and forwards to the simulator, or refuses and echoes the
// header back, as a chatty proxy might. The header's value must never reach a log or an error.

const HELICONE_AUTH = 'Bearer sk-helicone-test-0123456789abcdef';
const TEXT = 'The tide turned at noon. Boats left the harbour. The market closed early.';
const prefix = testPrefix();
let simulator: Simulator;
let proxy: Server;
let proxyUrl: string;
const seen: IncomingHttpHeaders[] = [];
let refuse = false;

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [{ id: 'upstream', format: 'openai', models: [{ name: 'm', contextWindow: 8_000 }] }],
  });
  proxy = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      seen.push(request.headers);
      if (refuse || request.headers['helicone-auth'] !== HELICONE_AUTH) {
        response.writeHead(401, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: { message: `Helicone-Auth ${request.headers['helicone-auth']} is not valid` },
          }),
        );
        return;
      }
      // Forwarded as the proxy does: same path under the provider's base URL, same body.
      const upstream = await fetch(
        `${simulator.baseUrlFor('upstream')}${request.url!.replace(/^\/v1/, '')}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
          body: Buffer.concat(chunks),
        },
      );
      response
        .writeHead(upstream.status, { 'content-type': 'application/json' })
        .end(Buffer.from(await upstream.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await simulator.close();
  await deleteKeys(prefix);
});

it('sends the Helicone-Auth header through the proxy, and never shows its value in logs or errors', async () => {
  const switchyard = await startSwitchyard({
    SWITCHYARD_CONFIG: writeConfig({
      presets: 'off',
      providers: [
        {
          id: 'openai-via-helicone',
          kind: 'openai',
          baseUrl: `${proxyUrl}/v1`,
          apiKey: 'sk-upstream-key-0123456789',
          headers: { 'Helicone-Auth': HELICONE_AUTH },
          models: [{ name: 'm', contextWindow: 8_000 }],
        },
      ],
      routes: { main: { targets: ['openai-via-helicone/m'] } },
      redis: { url: REDIS_URL, prefix },
      auth: { apiKeys: [{ key: FLEET_KEY, tenant: 't' }] },
      scheduling: { retriesPerTarget: 0 },
      server: { port: 0, host: '127.0.0.1' },
    }),
  });
  const base = switchyard.ready.api!.replace(/\/v1$/, '');
  const views: string[] = [];
  try {
    const answered = await send(base, 'POST', '/v1/chat/completions', {
      headers: FLEET_AUTH,
      body: { model: 'main', messages: [{ role: 'user', content: TEXT }] },
    });
    expect(answered.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({
      'helicone-auth': HELICONE_AUTH,
      authorization: 'Bearer sk-upstream-key-0123456789',
    });

    // The proxy refuses and echoes the header: the failure reaches the job, not the value.
    refuse = true;
    const submitted = await send(base, 'POST', '/v1/jobs', {
      headers: FLEET_AUTH,
      body: { route: 'main', prompt: TEXT },
    });
    const { id } = submitted.json<{ id: string }>();
    const failed = await send(base, 'GET', `/v1/jobs/${id}?wait=10`, { headers: FLEET_AUTH });
    expect(failed.json<{ status: string }>().status).toBe('failed');
    views.push(failed.body);
    const completion = await send(base, 'POST', '/v1/chat/completions', {
      headers: FLEET_AUTH,
      body: { model: 'main', messages: [{ role: 'user', content: TEXT }] },
    });
    expect(completion.status).toBeGreaterThanOrEqual(400);
    views.push(completion.body);
  } finally {
    await switchyard.stop();
  }
  expect(views.join('\n')).toContain('401');
  const secret = HELICONE_AUTH.replace('Bearer ', '');
  for (const text of [...views, switchyard.output()]) expect(text).not.toContain(secret);
  expect(switchyard.output()).toContain('"outcome":"authentication_failed"');
  expect(views.join('\n')).toContain('Helicone-Auth [redacted]');
}, 30_000);
