import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildApp } from '@switchyard/app/app';
import { createServices } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import { type Simulator, startSimulator } from '@switchyard/provider-sim';
import { createLogger } from '../apps/switchyard/src/observability/create-logger.ts';
import { type SwitchyardProcess, writeConfig } from '../test/support/switchyard-process.ts';
import {
  addedLatencyTables,
  type Run,
  SIDE_NAMES,
  type SideName,
  type Sides,
  type Where,
} from './support/added-latency-tables.ts';
import { benchPrefix, deleteKeys } from './support/bench-prefix.ts';
import { breakDownLatency, stampApiSide, wallClockOffset } from './support/break-down-latency.ts';
import type { Table } from './support/format-table.ts';
import {
  createKeepAliveClient,
  type KeepAliveClient,
  type TimedResponse,
} from './support/keep-alive-client.ts';
import { runPool } from './support/run-pool.ts';
import { addSimulatedProvider, benchConfig, MODEL, removeConfig } from './support/simulated-setup.ts';
import { type PortkeyGateway, portkeyHeaders, startPortkey } from './support/start-portkey.ts';
import { startWorkerProcess } from './support/start-worker-process.ts';

const API_KEY = 'bench-latency-key-0123456789';
/** The simulator's key, sent directly and through Portkey (Switchyard holds its own copy). */
const PROVIDER_KEY = 'sim-key';
const ROUTE = 'main';
/** Sequential requests per side run first and thrown away: connections, scripts and JIT warm up. */
const WARM_UP = 200;
/** Sequential requests take turns between the sides in blocks of this many. */
const BLOCK = 100;
/** The concurrent measurement gives each side this many blocks, the order reversed every round. */
const CONCURRENT_ROUNDS = 2;
const PROMPT =
  'Summarize in one sentence. The river rose overnight after three days of rain. Crews worked until dawn to reinforce the banks, and the bridge reopened at noon.';

export interface AddedLatencyOptions {
  /** Sequential requests per side, after the warm-up (default 2,000). */
  requests?: number;
  /** Requests per side at `concurrency` in flight (default 4,000). */
  concurrentRequests?: number;
  /** Requests in flight in the concurrent measurement (default 200). */
  concurrency?: number;
  /** Also measure with the workers in one child process (default true). */
  childProcess?: boolean;
}

type Send = () => Promise<TimedResponse>;

/**
 * Added latency of `/v1/chat/completions`: the same request to a zero-latency simulated
 * provider directly, through Portkey's open-source gateway (the yardstick of the performance
 * targets) and through Switchyard (the real app on a real port, a job per request), from one
 * keep-alive HTTP client, one at a time and at `concurrency` in flight, the three sides taking
 * turns so the machine's noise hits them alike. Workers in this process, then in one child
 * process; Portkey runs in a child process throughout.
 */
export async function addedLatency(options: AddedLatencyOptions = {}): Promise<Table[]> {
  const requests = options.requests ?? 2_000;
  const concurrentRequests = options.concurrentRequests ?? 4_000;
  const concurrency = options.concurrency ?? 200;
  const prefix = benchPrefix();
  const simulator = await startSimulator({ providers: [] });
  // Concurrency as high as the load: no limit of Switchyard's should queue anything here.
  const provider = addSimulatedProvider(simulator, { id: 'direct', concurrency });
  const raw = {
    ...benchConfig({ prefix, providers: [provider], routes: { [ROUTE]: [`${provider.id}/${MODEL}`] } }),
    auth: { apiKeys: [{ key: API_KEY, tenant: 'bench' }] },
  };
  const client = createKeepAliveClient(concurrency);
  const body = { model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 64 };
  let portkey: PortkeyGateway | undefined;
  try {
    portkey = await startPortkey();
    const viaPortkey = portkeyHeaders(provider.baseUrl, PROVIDER_KEY);
    await checkPortkeyAnswers(simulator, provider, portkey, viaPortkey, body);
    const senders = {
      direct: () =>
        client.post(`${provider.baseUrl}/chat/completions`, body, {
          authorization: `Bearer ${PROVIDER_KEY}`,
        }),
      portkey: () => client.post(`${portkey!.url}/v1/chat/completions`, body, viaPortkey),
    };
    const runs: Run[] = [];
    const wheres: Where[] = options.childProcess === false ? ['in-process'] : ['in-process', 'child'];
    for (const where of wheres) {
      runs.push(
        await measureRun({ where, raw, client, senders, body, requests, concurrentRequests, concurrency }),
      );
    }
    return addedLatencyTables(runs, {
      requests,
      concurrentRequests,
      concurrency,
      block: BLOCK,
      warmUp: WARM_UP,
      concurrentRounds: CONCURRENT_ROUNDS,
      portkey: { version: portkey.version, command: portkey.command },
    });
  } finally {
    client.close();
    await portkey?.stop();
    await simulator.close();
    await deleteKeys(prefix);
  }
}

/**
 * Checks, before anything is timed, that an answer through Portkey is the simulator's own:
 * the simulator counts exactly one more request, and the body is the direct answer's apart
 * from the per-request `id` and `created`. A gateway that answered from elsewhere (or not
 * at all) would make every figure after it meaningless.
 */
async function checkPortkeyAnswers(
  simulator: Simulator,
  provider: { id: string; baseUrl: string },
  portkey: PortkeyGateway,
  headers: Record<string, string>,
  body: object,
): Promise<void> {
  const post = async (url: string, extra: Record<string, string>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...extra, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${text}`);
    const { id: _id, created: _created, ...rest } = JSON.parse(text) as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  const direct = await post(`${provider.baseUrl}/chat/completions`, {
    authorization: `Bearer ${PROVIDER_KEY}`,
  });
  const before = simulator.stats(provider.id).requests;
  const through = await post(`${portkey.url}/v1/chat/completions`, headers);
  const counted = simulator.stats(provider.id).requests - before;
  if (counted !== 1 || through !== direct) {
    throw new Error(
      `Portkey's answer is not the simulator's: the simulator counted ${counted} request(s); through Portkey ${through}, directly ${direct}`,
    );
  }
}

async function measureRun(context: {
  where: Where;
  raw: object;
  client: KeepAliveClient;
  senders: Record<Exclude<SideName, 'switchyard'>, Send>;
  body: object;
  requests: number;
  concurrentRequests: number;
  concurrency: number;
}): Promise<Run> {
  const { where, raw, client, requests, concurrentRequests, concurrency } = context;
  const config = parseConfig(raw, {});
  // As main.ts runs it: request and attempt logs serialised at info level, written nowhere.
  const logger = createLogger({ write() {} });
  const services = createServices(config, { logger });
  const path = where === 'child' ? writeConfig(raw) : undefined;
  let child: SwitchyardProcess | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    if (path) child = await startWorkerProcess(path);
    else await services.startWorkers();
    const stamps = stampApiSide(services);
    app = await buildApp(services, { logger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const senders: Record<SideName, Send> = {
      ...context.senders,
      switchyard: () =>
        client.post(
          `http://127.0.0.1:${port}/v1/chat/completions`,
          { ...context.body, model: ROUTE },
          { authorization: `Bearer ${API_KEY}` },
        ),
    };
    await takeTurnsSequential(WARM_UP, senders);
    const sequential = await takeTurnsSequential(requests, senders);
    await takeTurnsConcurrent(concurrency * 2, concurrency, 1, senders);
    const concurrent = await takeTurnsConcurrent(concurrentRequests, concurrency, CONCURRENT_ROUNDS, senders);
    const offset = wallClockOffset();
    return {
      where,
      sequential,
      concurrent,
      breakdown: {
        sequential: await breakDownLatency(services.broker, sequential.switchyard.responses, stamps, offset),
        concurrent: await breakDownLatency(services.broker, concurrent.switchyard.responses, stamps, offset),
      },
    };
  } finally {
    await app?.close();
    await child?.stop();
    if (path) removeConfig(path);
    await services.close();
  }
}

/**
 * `count` requests per side, one at a time, the sides taking turns every `BLOCK` requests;
 * the side that goes first rotates, so none always follows the same one.
 */
async function takeTurnsSequential(count: number, senders: Record<SideName, Send>): Promise<Sides> {
  const sides = emptySides();
  for (let done = 0, turn = 0; done < count; done += BLOCK, turn++) {
    const block = Math.min(BLOCK, count - done);
    for (let offset = 0; offset < SIDE_NAMES.length; offset++) {
      const name = SIDE_NAMES[(turn + offset) % SIDE_NAMES.length]!;
      const side = sides[name];
      const started = performance.now();
      for (let index = 0; index < block; index++) side.responses.push(await senders[name]());
      side.elapsedMs += performance.now() - started;
    }
  }
  return sides;
}

/**
 * `count` requests per side with `concurrency` in flight, in `rounds` blocks per side, the
 * order reversed every other round (direct, Portkey, Switchyard, Switchyard, Portkey, direct...).
 */
async function takeTurnsConcurrent(
  count: number,
  concurrency: number,
  rounds: number,
  senders: Record<SideName, Send>,
): Promise<Sides> {
  const sides = emptySides();
  const perRound = Math.ceil(count / rounds);
  for (let round = 0; round < rounds; round++) {
    const block = Math.min(perRound, count - round * perRound);
    const order = round % 2 === 0 ? SIDE_NAMES : [...SIDE_NAMES].reverse();
    for (const name of order) {
      const side = sides[name];
      const started = performance.now();
      side.responses.push(...(await runPool(block, concurrency, () => senders[name]())));
      side.elapsedMs += performance.now() - started;
    }
  }
  return sides;
}

const emptySides = (): Sides => ({
  direct: { responses: [], elapsedMs: 0 },
  portkey: { responses: [], elapsedMs: 0 },
  switchyard: { responses: [], elapsedMs: 0 },
});
