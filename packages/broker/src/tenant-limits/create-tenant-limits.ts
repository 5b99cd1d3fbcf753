import { randomUUID } from 'node:crypto';
import { type Config, type TenantLimits, tenantLimitsOf } from '@switchyard/config';
import { BrokerError } from '../broker-error.ts';
import type { RedisConnection } from '../create-redis.ts';
import type { Keys } from '../keys.ts';
import { defineScripts } from '../scripts/define-scripts.ts';

/**
 * A job still counted as queued this long past its deadline stops counting: the safety net
 * for a process that died between a job's terminal transition and its release (the last
 * target keeps a job past its deadline, so the margin is generous).
 */
const ACTIVE_SAFETY_MS = 86_400_000;
/** A stream's lease beyond the interactive deadline (a stream outliving it stops counting). */
const STREAM_LEASE_SLACK_MS = 600_000;

export interface TenantUsage {
  queuedJobs: number;
  storage: number;
  streams: number;
}

/** What admitting an item added: so a caller can take back exactly that. */
export interface Admission {
  newJob: boolean;
  newBytes: boolean;
}

/**
 * Per-tenant limits, enforced in Redis so they hold across every API process (docs/security.md):
 * requests per second (a token bucket), jobs not yet terminal, stored bytes (per item, each
 * released when it expires or is deleted) and open streams. Refusals are `BrokerError`s with
 * the codes `queue_full`, `storage_exhausted` and `too_many_streams`.
 */
export interface TenantLimitsStore {
  limitsOf(tenant: string): TenantLimits;
  /** Counts one request; refused with the wait until a token is back. */
  takeRequest(tenant: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
  /** Admits a job (one queued job, its payload's bytes) before its record is written. */
  admitJob(job: { id: string; tenant: string; deadline: number; payloadBytes: number }): Promise<Admission>;
  /** Takes back what `admitJob` added, when the record was not written after all. */
  undoAdmission(tenant: string, id: string, admission: Admission): Promise<void>;
  /** The job became terminal: it stops counting as queued; its result's bytes are counted. */
  finishJob(tenant: string, id: string, resultBytes: number): Promise<void>;
  /** Admits a stored file of `bytes` until `expiresAt` (epoch ms). */
  admitFile(tenant: string, id: string, bytes: number, expiresAt: number): Promise<void>;
  /** Releases a stored item (a deleted or refused file). */
  release(tenant: string, id: string): Promise<void>;
  /** Refuses with `queue_full` unless `count` more jobs fit now (a batch before it starts). */
  checkRoomForJobs(tenant: string, count: number): Promise<void>;
  /** Refuses with `storage_exhausted` when nothing is left; else the bytes left. */
  storageLeft(tenant: string): Promise<number>;
  /** Opens a stream (`too_many_streams` when the limit is reached); call the result to close it. */
  openStream(tenant: string): Promise<() => Promise<void>>;
  usage(tenant: string): Promise<TenantUsage>;
}

export function createTenantLimits(deps: {
  redis: RedisConnection;
  keys: Keys;
  config: Config;
}): TenantLimitsStore {
  const { redis, keys, config } = deps;
  const scripts = defineScripts(redis, {
    takeRequest: new URL('./take-request-1.lua', import.meta.url),
    admit: new URL('./admit-4.lua', import.meta.url),
    finishJob: new URL('./finish-job-4.lua', import.meta.url),
    release: new URL('./release-4.lua', import.meta.url),
    usage: new URL('./usage-4.lua', import.meta.url),
    openStream: new URL('./open-stream-1.lua', import.meta.url),
  });
  const retentionMs = config.results.retentionMs;
  const limitsOf = (tenant: string) => tenantLimitsOf(config, tenant);
  const heldKeys = (tenant: string) => [
    keys.tenantActiveJobs(tenant),
    keys.tenantStoredItems(tenant),
    keys.tenantStoredExpiry(tenant),
    keys.tenantStoredBytes(tenant),
  ];

  function refusal(code: string, used: number, limit: number): BrokerError {
    if (code === 'queue_full') {
      return new BrokerError(
        'queue_full',
        `The tenant has ${used} jobs queued or running, its limit is ${limit}`,
        {
          used,
          limit,
        },
      );
    }
    return new BrokerError(
      'storage_exhausted',
      `The tenant stores ${used} bytes; this would pass its limit of ${limit} bytes`,
      { used, limit },
    );
  }

  async function admit(
    tenant: string,
    item: { id: string; bytes: number; expiresAt?: number; activeUntil?: number },
  ): Promise<Admission> {
    const limits = limitsOf(tenant);
    const reply = await scripts.admit<[number, number | string, number?]>(heldKeys(tenant), [
      Date.now(),
      limits.queuedJobs,
      limits.storage,
      item.id,
      item.bytes,
      item.expiresAt ?? 0,
      item.activeUntil === undefined ? '0' : '1',
      item.activeUntil ?? 0,
      retentionMs,
    ]);
    if (reply[0] === 0) {
      const code = String(reply[1]);
      throw refusal(code, Number(reply[2]), code === 'queue_full' ? limits.queuedJobs : limits.storage);
    }
    return { newJob: reply[1] === 1, newBytes: reply[2] === 1 };
  }

  async function usage(tenant: string): Promise<TenantUsage> {
    const [[queuedJobs, storage], streams] = await Promise.all([
      scripts.usage<[number, number]>(heldKeys(tenant), [Date.now(), retentionMs]),
      redis.zcount(keys.tenantStreams(tenant), Date.now(), '+inf'),
    ]);
    return { queuedJobs, storage, streams };
  }

  return {
    limitsOf,

    async takeRequest(tenant) {
      const reply = await scripts.takeRequest<[number, number?]>(
        [keys.tenantRequests(tenant)],
        [limitsOf(tenant).requestsPerSecond],
      );
      return reply[0] === 1 ? { ok: true } : { ok: false, retryAfterMs: Number(reply[1]) };
    },

    admitJob: (job) =>
      admit(job.tenant, {
        id: job.id,
        bytes: job.payloadBytes,
        // No expiry of their own: the job's bytes are held while it is active (until its safety
        // expiry at most, then for the retention: admit-4.lua); `finishJob` gives them one.
        activeUntil: job.deadline + ACTIVE_SAFETY_MS,
      }),

    async undoAdmission(tenant, id, admission) {
      if (admission.newBytes) await scripts.release(heldKeys(tenant), [id]);
      else if (admission.newJob) await redis.zrem(keys.tenantActiveJobs(tenant), id);
    },

    async finishJob(tenant, id, resultBytes) {
      await scripts.finishJob(heldKeys(tenant), [id, resultBytes, Date.now() + retentionMs]);
    },

    async admitFile(tenant, id, bytes, expiresAt) {
      await admit(tenant, { id, bytes, expiresAt });
    },

    async release(tenant, id) {
      await scripts.release(heldKeys(tenant), [id]);
    },

    async checkRoomForJobs(tenant, count) {
      const limit = limitsOf(tenant).queuedJobs;
      const { queuedJobs } = await usage(tenant);
      if (queuedJobs + count > limit) {
        throw new BrokerError(
          'queue_full',
          `The tenant has ${queuedJobs} jobs queued or running; ${count} more would pass its limit of ${limit}`,
          { used: queuedJobs, limit },
        );
      }
    },

    async storageLeft(tenant) {
      const limit = limitsOf(tenant).storage;
      const { storage } = await usage(tenant);
      if (storage >= limit) throw refusal('storage_exhausted', storage, limit);
      return limit - storage;
    },

    async openStream(tenant) {
      const limit = limitsOf(tenant).streams;
      const id = randomUUID();
      const now = Date.now();
      const leaseEnd = now + config.scheduling.deadlines.interactive + STREAM_LEASE_SLACK_MS;
      const [opened, open] = await scripts.openStream<[number, number]>(
        [keys.tenantStreams(tenant)],
        [now, limit, id, leaseEnd],
      );
      if (opened === 0) {
        throw new BrokerError(
          'too_many_streams',
          `The tenant has ${open} streams open, its limit is ${limit}`,
          { used: open, limit },
        );
      }
      let closed = false;
      return async () => {
        if (closed) return;
        closed = true;
        await redis.zrem(keys.tenantStreams(tenant), id);
      };
    },

    usage,
  };
}
