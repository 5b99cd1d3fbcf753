import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** A throwaway Redis Cluster of local `redis-server` processes, in a temp dir of its own. */
export interface RedisCluster {
  /** A seed node's URL, for `redis: { url, cluster: true }`. */
  url: string;
  ports: number[];
  /** The port of the master that serves `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /**
   * Promotes a replica of the master serving `key` with `CLUSTER FAILOVER` (the replica catches
   * up with its master first, so no acknowledged write is lost); resolves once every node agrees.
   */
  failOver(key: string): Promise<{ from: number; to: number }>;
  /** Stops every node and deletes the temp dir. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a silent master has until its replica takes over. */
  nodeTimeoutMs?: number;
  /** How long to wait for the cluster to form or settle. */
  timeoutMs?: number;
}

/** A free port whose cluster bus port (+10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  const probe = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address() as { port: number };
        server.close(() => resolve(bound));
      });
    });
  for (;;) {
    const port = await probe(0);
    if (port > 55_000 || taken.has(port)) continue;
    try {
      await probe(port + 10_000);
    } catch {
      continue;
    }
    taken.add(port);
    return port;
  }
}

async function pollUntil<T>(what: string, deadline: number, check: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} timed out (${String(last ?? '')})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ask<T>(port: number, command: (node: Redis) => Promise<T>): Promise<T> {
  const node = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  node.on('error', () => {});
  try {
    await node.connect();
    return await command(node);
  } finally {
    node.disconnect();
  }
}

const infoField = (info: string, field: string) => new RegExp(`^${field}:(\\S+)`, 'm').exec(info)?.[1];

/** Starts `masters` x (1 + `replicasPerMaster`) nodes and joins them into a cluster. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const directory = await mkdtemp(join(tmpdir(), 'switchyard-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let index = 0; index < masters * (1 + replicas); index++) ports.push(await freeClusterPort(taken));
  const processes: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        String(options.nodeTimeoutMs ?? 1_000),
        '--appendonly',
        'no',
        // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
        '--repl-diskless-sync-delay',
        '0',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      { cwd: directory, stdio: 'ignore' },
    ),
  );

  // Should the test process end without running its afterAll (a crash), the nodes go with it
  // rather than outliving it.
  const killAll = () => {
    for (const child of processes) child.kill('SIGKILL');
  };
  process.once('exit', killAll);

  async function stop(): Promise<void> {
    process.off('exit', killAll);
    await Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    await rm(directory, { recursive: true, force: true });
  }

  async function settled(deadline: number): Promise<void> {
    for (const port of ports) {
      await pollUntil(`cluster_state:ok on ${port}`, deadline, () =>
        ask(port, async (node) => {
          const info = await node.cluster('INFO');
          const ok =
            infoField(info, 'cluster_state') === 'ok' &&
            Number(infoField(info, 'cluster_known_nodes')) === ports.length;
          if (!ok) return undefined;
          // A replica whose link is down has not synced: promoting it would lose every write.
          const replication = await node.info('replication');
          const replicaSynced =
            infoField(replication, 'role') !== 'slave' ||
            infoField(replication, 'master_link_status') === 'up';
          return replicaSynced ? true : undefined;
        }),
      );
    }
  }

  try {
    const deadline = Date.now() + timeoutMs;
    for (const port of ports)
      await pollUntil(`node ${port} answering`, deadline, () => ask(port, (node) => node.ping()));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    await settled(deadline);
  } catch (error) {
    await stop();
    throw error;
  }

  async function masterOf(key: string): Promise<number> {
    const slot = await ask(ports[0]!, (node) => node.cluster('KEYSLOT', key));
    const shards = await ask(ports[0]!, (node) => node.cluster('SLOTS'));
    const shard = shards.find(([first, last]) => slot >= first && slot <= last);
    if (!shard) throw new Error(`Redis Cluster: no node serves slot ${slot}`);
    return shard[2]![1];
  }

  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    ports,
    masterOf,
    async failOver(key) {
      const from = await masterOf(key);
      const nodeId = await ask(from, (node) => node.cluster('MYID'));
      let to: number | undefined;
      for (const port of ports) {
        const role = await ask(port, (node) => node.info('replication'));
        if (infoField(role, 'role') === 'slave' && infoField(role, 'master_port') === String(from)) to = port;
      }
      if (to === undefined)
        throw new Error(`Redis Cluster: the master on ${from} (${nodeId}) has no replica`);
      const replica = to;
      await ask(replica, (node) => node.cluster('FAILOVER'));
      const deadline = Date.now() + timeoutMs;
      await pollUntil(`replica ${replica} promoted`, deadline, async () =>
        (await masterOf(key)) === replica ? true : undefined,
      );
      await settled(deadline);
      return { from, to: replica };
    },
    stop,
  };
}
