import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A connection to Redis: one server, or a Redis Cluster (ioredis `Cluster`). */
export type RedisConnection = Redis | Cluster;

/** The configuration's `redis` section, as far as connecting goes. */
export interface RedisSettings {
  url: string;
  /** `url` names one seed node of a Redis Cluster; the others are discovered from it. */
  cluster?: boolean;
}

/**
 * Cluster-wide settings of ioredis; everything else in the options is per node. BullMQ and our
 * callers pass the same options either way, so this factory sorts them (`enableAutoPipelining`
 * is dropped on a cluster: see below).
 */
const CLUSTER_LEVEL = ['lazyConnect', 'enableOfflineQueue', 'enableReadyCheck'] as const;

/**
 * Bounds on a cluster that is failing over: a master's slots answer CLUSTERDOWN (or nothing)
 * until a replica takes over, which takes the cluster's `cluster-node-timeout` plus an election.
 * ioredis retries each command `maxRedirections` times, `retryDelayOnClusterDown` apart:
 * 60 x 250 ms rides out a failover of up to 15 s instead of failing the command after 1.6 s.
 */
const FAILOVER_PATIENCE: ClusterOptions = {
  maxRedirections: 60,
  retryDelayOnClusterDown: 250,
  retryDelayOnFailover: 250,
  retryDelayOnTryAgain: 250,
};

/**
 * The one way Switchyard connects to Redis: a standalone connection to `url`, or, with
 * `cluster: true`, a Cluster whose seed node is `url` (its user, password and `rediss:` TLS
 * apply to every node). `options` are ioredis connection options (e.g. BullMQ's
 * `maxRetriesPerRequest: null`); both kinds have `duplicate()`, which keeps them.
 */
export function createRedis(settings: RedisSettings, options: RedisOptions = {}): RedisConnection {
  if (!settings.cluster) return new Redis(settings.url, options);
  const url = new URL(settings.url);
  const { enableAutoPipelining: _dropped, ...rest } = options;
  const nodeOptions: Record<string, unknown> = { ...rest };
  const clusterOptions: Record<string, unknown> = { ...FAILOVER_PATIENCE };
  for (const name of CLUSTER_LEVEL) {
    if (name in nodeOptions) {
      clusterOptions[name] = nodeOptions[name];
      delete nodeOptions[name];
    }
  }
  // No auto-pipelining on a cluster: ioredis batches the commands of every slot a node serves
  // into one pipeline, and when the node hands its slots to a replica (failover) the batch's
  // MOVED replies name different slots, so ioredis gives up redirecting and fails every command
  // of the batch (the failover test saw submissions refused with `MOVED`). Each command is still written at
  // once, without waiting for the previous answer; only the batching into one write goes.
  clusterOptions.enableAutoPipelining = false;
  if (url.username) nodeOptions.username = decodeURIComponent(url.username);
  if (url.password) nodeOptions.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') nodeOptions.tls = {};
  return new Cluster([{ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) }], {
    ...(clusterOptions as ClusterOptions),
    redisOptions: nodeOptions as ClusterOptions['redisOptions'],
  });
}
