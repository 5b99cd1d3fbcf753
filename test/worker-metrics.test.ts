import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { send } from './support/balanced-client.ts';
import { FLEET_ADMIN_KEY, FLEET_AUTH, fleetConfig } from './support/fleet-config.ts';
import { deleteKeys, testPrefix } from './support/redis-prefix.ts';
import { type SwitchyardProcess, startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// The counters of the calls a worker makes live in the worker: a worker-role process serves
// /metrics (and /healthz) on a port of its own, and Prometheus sums the processes.

const prefix = testPrefix();
let simulator: Simulator;
const running: SwitchyardProcess[] = [];

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [{ id: 'sim', format: 'openai', models: [{ name: 'm', contextWindow: 8_000 }] }],
  });
});

afterAll(async () => {
  await Promise.all(running.map((process) => process.stop()));
  await simulator.close();
  await deleteKeys(prefix);
});

it('a worker-role process answers /metrics with the jobs it finished', async () => {
  const configPath = writeConfig(fleetConfig(simulator, prefix, 4));
  const [api, worker] = await Promise.all([
    startSwitchyard({ SWITCHYARD_CONFIG: configPath, SWITCHYARD_ROLE: 'api' }),
    startSwitchyard({ SWITCHYARD_CONFIG: configPath, SWITCHYARD_ROLE: 'worker', METRICS_PORT: '0' }),
  ]);
  running.push(api!, worker!);
  const base = api!.ready.api!.replace(/\/v1$/, '');
  const ids = await Promise.all(
    Array.from({ length: 5 }, async (_, index) => {
      const answer = await send(base, 'POST', '/v1/jobs', {
        headers: FLEET_AUTH,
        body: { route: 'main', prompt: `One sentence. Another sentence, number ${index}.` },
      });
      return answer.json<{ id: string }>().id;
    }),
  );
  for (const id of ids) {
    const job = await send(base, 'GET', `/v1/jobs/${id}?wait=20`, { headers: FLEET_AUTH });
    expect(job.json<{ status: string }>().status).toBe('succeeded');
  }

  const metricsUrl = new URL(worker!.ready.metrics!);
  const origin = metricsUrl.origin;
  const admin = { authorization: `Bearer ${FLEET_ADMIN_KEY}` };
  const scraped = await send(origin, 'GET', '/metrics', { headers: admin });
  expect(scraped.status).toBe(200);
  expect(scraped.body).toMatch(/^switchyard_jobs_finished_total\{status="succeeded"\} 5$/m);
  expect(scraped.body).toMatch(
    /^switchyard_attempts_total\{provider="sim",model="m",outcome="succeeded"\} 5$/m,
  );
  // The API process made no call: its own counter stays at 0 (sum the processes).
  const apiScrape = await send(base, 'GET', '/metrics', { headers: admin });
  expect(apiScrape.body).toMatch(/^switchyard_jobs_finished_total\{status="succeeded"\} 0$/m);
  // Behind the admin key, as on the API; health is open.
  expect((await send(origin, 'GET', '/metrics')).status).toBe(401);
  expect((await send(origin, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
  expect((await send(origin, 'GET', '/readyz')).json()).toEqual({ status: 'ready' });
}, 45_000);

it('a second worker whose metrics port is taken still runs, and says so', async () => {
  const configPath = writeConfig(fleetConfig(simulator, prefix, 4));
  const first = await startSwitchyard({
    SWITCHYARD_CONFIG: configPath,
    SWITCHYARD_ROLE: 'worker',
    METRICS_PORT: '0',
  });
  running.push(first);
  const taken = new URL(first.ready.metrics!).port;
  const second = await startSwitchyard({
    SWITCHYARD_CONFIG: configPath,
    SWITCHYARD_ROLE: 'worker',
    METRICS_PORT: taken,
  });
  running.push(second);
  expect(second.ready.role).toBe('worker');
  expect(second.ready.metrics).toBeUndefined();
  expect(second.output()).toContain('metrics port in use');
}, 45_000);
