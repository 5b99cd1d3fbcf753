import { connect } from 'node:net';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './support/balanced-client.ts';
import { FLEET_AUTH, fleetConfig } from './support/fleet-config.ts';
import { until } from './support/poll.ts';
import { deleteKeys, testPrefix } from './support/redis-prefix.ts';
import { type SwitchyardProcess, startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// SIGTERM drains: the API answers what it holds and refuses new work; a worker finishes its
// calls and leaves nothing locked, so another worker takes the queue over at once.

const LATENCY_MS = 1_500;
const TEXT = 'The tide turned at noon. Boats left the harbour. The market closed early.';
let simulator: Simulator;
const prefixes: string[] = [];
const running: SwitchyardProcess[] = [];

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      {
        id: 'sim',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 8_000 }],
        latency: { kind: 'fixed', ms: LATENCY_MS },
      },
    ],
  });
});

afterAll(async () => {
  await Promise.all(running.map((process) => process.stop()));
  await simulator.close();
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

async function startFleetProcess(
  configPath: string,
  role: 'api' | 'worker',
  env: Record<string, string> = {},
) {
  const started = await startSwitchyard({ SWITCHYARD_CONFIG: configPath, SWITCHYARD_ROLE: role, ...env });
  running.push(started);
  return started;
}

function exitOf(started: SwitchyardProcess): Promise<number | null> {
  return new Promise((resolve) => started.child.once('exit', (code) => resolve(code)));
}

/** Writes raw HTTP/1.1 requests on one connection and collects what comes back. */
function rawConnection(base: string) {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString('utf8');
  });
  socket.on('error', () => {});
  return {
    write(path: string) {
      socket.write(
        `GET ${path} HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: ${FLEET_AUTH.authorization}\r\n\r\n`,
      );
    },
    received: () => received,
    close: () => socket.destroy(),
  };
}

describe('SIGTERM drains', () => {
  it('the API answers the requests in flight, refuses new connections, and 503s new requests on old ones', async () => {
    simulator.reset();
    const prefix = testPrefix();
    prefixes.push(prefix);
    const configPath = writeConfig(fleetConfig(simulator, prefix, 4));
    const [api] = await Promise.all([
      startFleetProcess(configPath, 'api'),
      startFleetProcess(configPath, 'worker'),
    ]);
    const base = api!.ready.api!.replace(/\/v1$/, '');

    // In flight: a synchronous completion, and a `?wait=` on a job held by the worker.
    const completion = send(base, 'POST', '/v1/chat/completions', {
      headers: FLEET_AUTH,
      body: { model: 'main', messages: [{ role: 'user', content: TEXT }] },
    });
    const submitted = await send(base, 'POST', '/v1/jobs', {
      headers: FLEET_AUTH,
      body: { route: 'main', prompt: TEXT },
    });
    const { id } = submitted.json<{ id: string }>();
    const waiting = send(base, 'GET', `/v1/jobs/${id}?wait=20`, { headers: FLEET_AUTH });
    // A kept-alive connection with a request in flight, and a second one queued behind it.
    const connection = rawConnection(base);
    connection.write(`/v1/jobs/${id}?wait=20`);
    await until(() => simulator.stats('sim').inFlight >= 2, { message: 'both calls to reach the provider' });

    const exited = exitOf(api!);
    api!.child.kill('SIGTERM');
    // New connections are refused at once (the client or load balancer goes elsewhere).
    const refused = await until(
      async () => {
        try {
          await send(base, 'GET', '/healthz');
          return undefined;
        } catch (error) {
          // A connection the kernel had queued when the listener closed is reset unread.
          const { code } = error as NodeJS.ErrnoException;
          return code === 'ECONNRESET' ? undefined : code;
        }
      },
      { message: 'the API to stop listening' },
    );
    expect(refused).toBe('ECONNREFUSED');
    connection.write('/healthz');

    const [answered, waited] = await Promise.all([completion, waiting]);
    expect(answered.status).toBe(200);
    expect(
      answered.json<{ choices: { message: { content: string } }[] }>().choices[0]!.message.content,
    ).not.toBe('');
    expect(waited.status).toBe(200);
    expect(waited.json<{ status: string }>().status).toBe('succeeded');
    expect(await exited).toBe(0);

    // On the kept-alive connection: the job in flight, then a coded 503 for the new request.
    const responses = connection.received().split(/(?=HTTP\/1\.1 )/);
    connection.close();
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(responses[0]).toContain('"succeeded"');
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(responses[1]).toMatch(/connection: close/i);
    expect(responses[1]).toContain('"code":"shutting_down"');
    expect(simulator.stats('sim').requests).toBe(2);
  }, 45_000);

  it('a worker finishes its calls and leaves nothing locked: another takes the queue at once', async () => {
    simulator.reset();
    const prefix = testPrefix();
    prefixes.push(prefix);
    // Two calls at once across all workers (BullMQ's global concurrency): the second worker
    // gets nothing while the first holds both.
    const configPath = writeConfig(fleetConfig(simulator, prefix, 2));
    const [api, first] = await Promise.all([
      startFleetProcess(configPath, 'api'),
      startFleetProcess(configPath, 'worker'),
    ]);
    const base = api!.ready.api!.replace(/\/v1$/, '');
    const ids: string[] = [];
    for (let index = 0; index < 4; index++) {
      const submitted = await send(base, 'POST', '/v1/jobs', {
        headers: FLEET_AUTH,
        body: { route: 'main', prompt: `${TEXT} ${index}` },
      });
      ids.push(submitted.json<{ id: string }>().id);
    }
    await until(() => simulator.stats('sim').inFlight === 2, {
      message: 'the first worker to hold two calls',
    });
    const second = await startFleetProcess(configPath, 'worker');
    expect(second.ready.role).toBe('worker');

    const exited = exitOf(first!);
    first!.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const firstStopped = Date.now();

    const jobs = await Promise.all(
      ids.map(async (id) =>
        (await send(base, 'GET', `/v1/jobs/${id}?wait=20`, { headers: FLEET_AUTH })).json<{
          status: string;
          attempts: unknown[];
        }>(),
      ),
    );
    expect(jobs.map((job) => [job.status, job.attempts.length])).toEqual(ids.map(() => ['succeeded', 1]));
    const { log, requests } = simulator.stats('sim');
    expect(requests).toBe(4);
    // The last two calls started on the second worker right after the first one stopped, not a
    // lock duration (30 s) later.
    const lastTwo = log
      .map((entry) => entry.at)
      .sort((a, b) => a - b)
      .slice(2);
    for (const at of lastTwo) expect(at - firstStopped).toBeLessThan(2_000);
  }, 45_000);

  it('the API stops waiting after SWITCHYARD_DRAIN_TIMEOUT_MS; the job is still there to read', async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const configPath = writeConfig(fleetConfig(simulator, prefix, 2));
    // No worker: the job stays queued and the `?wait=` would hold for 30 s.
    const api = await startFleetProcess(configPath, 'api', { SWITCHYARD_DRAIN_TIMEOUT_MS: '500' });
    const base = api.ready.api!.replace(/\/v1$/, '');
    const submitted = await send(base, 'POST', '/v1/jobs', {
      headers: FLEET_AUTH,
      body: { route: 'main', prompt: TEXT },
    });
    const { id } = submitted.json<{ id: string }>();
    const waiting = send(base, 'GET', `/v1/jobs/${id}?wait=30`, { headers: FLEET_AUTH }).then(
      (answer) => `answered ${answer.status}`,
      (error: NodeJS.ErrnoException) => error.code,
    );
    await until(() => api.output().includes(`/v1/jobs/${id}?wait=30`), {
      message: 'the API to receive the wait',
    });
    const exited = exitOf(api);
    const stoppedAt = Date.now();
    api.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(await waiting).toBe('ECONNRESET');
    expect(api.output()).toContain('drain timeout');

    const replacement = await startFleetProcess(configPath, 'api');
    const job = await send(replacement.ready.api!.replace(/\/v1$/, ''), 'GET', `/v1/jobs/${id}`, {
      headers: FLEET_AUTH,
    });
    expect(job.json<{ status: string }>().status).toBe('queued');
  }, 45_000);
});
