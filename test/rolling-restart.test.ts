import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Answer, createBalancedClient } from './support/balanced-client.ts';
import { FLEET_AUTH, fleetConfig } from './support/fleet-config.ts';
import { deleteKeys, testPrefix } from './support/redis-prefix.ts';
import { type SwitchyardProcess, startSwitchyard, writeConfig } from './support/switchyard-process.ts';

// A rolling restart under load: two API and two worker processes, each replaced in turn
// (start the new one, wait until it is ready, SIGTERM the old one) while clients submit jobs
// and wait for synchronous completions. Nothing may be lost, called twice, or answered 5xx.

const TEXT = 'The tide turned at noon. Boats left the harbour. The market closed early.';
const CLIENTS = 6;
const prefix = testPrefix();
let simulator: Simulator;
const running = new Set<SwitchyardProcess>();

beforeAll(async () => {
  simulator = await startSimulator({
    providers: [
      {
        id: 'sim',
        format: 'openai',
        models: [{ name: 'm', contextWindow: 8_000 }],
        latency: { kind: 'lognormal', medianMs: 300, p99Ms: 1_200 },
      },
    ],
  });
});

afterAll(async () => {
  await Promise.all([...running].map((process) => process.stop()));
  await simulator.close();
  await deleteKeys(prefix);
});

it('loses no job, calls none twice and answers no 5xx while every process is replaced', async () => {
  const configPath = writeConfig(fleetConfig(simulator, prefix, 8));
  const start = async (role: 'api' | 'worker') => {
    const started = await startSwitchyard({ SWITCHYARD_CONFIG: configPath, SWITCHYARD_ROLE: role });
    running.add(started);
    return started;
  };
  const stop = async (old: SwitchyardProcess) => {
    const exited = new Promise<number | null>((resolve) => old.child.once('exit', (code) => resolve(code)));
    old.child.kill('SIGTERM');
    const code = await exited;
    running.delete(old);
    return code;
  };
  const apiOf = (process: SwitchyardProcess) => process.ready.api!.replace(/\/v1$/, '');

  const apis = await Promise.all([start('api'), start('api')]);
  const workers = await Promise.all([start('worker'), start('worker')]);
  const client = createBalancedClient(apis.map(apiOf));

  // The load: each client alternates an asynchronous submission and a synchronous completion.
  const submitted: string[] = [];
  const completions: string[] = [];
  const unexpected: string[] = [];
  let loading = true;
  const record = (what: string, answer: Answer, expected: number) => {
    if (answer.status !== expected) unexpected.push(`${what}: ${answer.status} ${answer.body.slice(0, 200)}`);
  };
  async function load(clientIndex: number) {
    for (let turn = 0; loading; turn++) {
      try {
        if (turn % 2 === 0) {
          const answer = await client.send('POST', '/v1/jobs', {
            headers: { ...FLEET_AUTH, 'idempotency-key': `c${clientIndex}-${turn}` },
            body: { route: 'main', prompt: `${TEXT} (${clientIndex}, ${turn})` },
          });
          record('submit', answer, 202);
          if (answer.status === 202) submitted.push(answer.json<{ id: string }>().id);
        } else {
          const answer = await client.send('POST', '/v1/chat/completions', {
            headers: FLEET_AUTH,
            body: {
              model: 'main',
              messages: [{ role: 'user', content: `${TEXT} (${clientIndex}, ${turn})` }],
            },
          });
          record('completion', answer, 200);
          const jobId = answer.headers['x-switchyard-job-id'];
          if (answer.status === 200 && typeof jobId === 'string') completions.push(jobId);
        }
      } catch (error) {
        unexpected.push(`${clientIndex}/${turn}: ${(error as Error).message}`);
      }
    }
  }
  const clients = Array.from({ length: CLIENTS }, (_, index) => load(index));

  // Every worker, then every API, one at a time.
  const exitCodes: (number | null)[] = [];
  const startedAt = Date.now();
  for (const old of workers) {
    await start('worker');
    exitCodes.push(await stop(old));
  }
  for (const old of apis) {
    const replacement = await start('api');
    client.add(apiOf(replacement));
    exitCodes.push(await stop(old));
    client.remove(apiOf(old));
  }
  const restartMs = Date.now() - startedAt;
  loading = false;
  await Promise.all(clients);

  expect(unexpected).toEqual([]);
  expect(exitCodes).toEqual([0, 0, 0, 0]);
  const ids = [...submitted, ...completions];
  expect(submitted.length).toBeGreaterThan(10);
  expect(completions.length).toBeGreaterThan(10);
  const jobs = await Promise.all(
    ids.map(async (id) => {
      const answer = await client.send('GET', `/v1/jobs/${id}?wait=30`, { headers: FLEET_AUTH });
      return answer.json<{ status: string; attempts: unknown[] }>();
    }),
  );
  expect(jobs.filter((job) => job.status !== 'succeeded' || job.attempts.length !== 1)).toEqual([]);
  // One provider call per job: none repeated after a worker stopped mid-call.
  expect(simulator.stats('sim').requests).toBe(ids.length);
  console.log(
    `rolling restart: ${ids.length} jobs (${completions.length} synchronous) in ${restartMs} ms of restarts, ${client.refusals} refused or unanswered connections retried`,
  );
}, 90_000);
