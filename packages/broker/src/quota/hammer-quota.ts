import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createKeys } from '../keys.ts';
import { createQuota, type QuotaLimit } from './create-quota.ts';

/**
 * A worker process of shared-quota.test.ts: `node --import tsx hammer-quota.ts` (a script:
 * importing it runs it; the test imports only its type).
 * Environment: REDIS_URL, QUOTA_PREFIX, QUOTA_PROVIDER, QUOTA_LIMIT (JSON QuotaLimit),
 * QUOTA_CONNECTIONS. Prints `ready`, waits for `go <ms>` on stdin, calls the "provider" as
 * often as the quota admits for that long on each connection, then prints one JSON line:
 * `{ arrivals, stoppedAt }`, Redis times (ms, fractional) at which each admitted call
 * reached the provider, and when it stopped.
 */
export interface HammerReport {
  arrivals: number[];
  stoppedAt: number;
}

async function redisTime(redis: Redis): Promise<number> {
  const [seconds, microseconds] = await redis.time();
  return Number(seconds) * 1000 + Number(microseconds) / 1000;
}

async function hammer(redis: Redis, limit: QuotaLimit, until: number, arrivals: number[]): Promise<void> {
  const quota = createQuota(redis, createKeys(process.env.QUOTA_PREFIX!));
  const provider = process.env.QUOTA_PROVIDER!;
  const limits = [limit];
  const connection = randomInt(1e9);
  let calls = 0;
  while (Date.now() < until) {
    const reservationId = `${process.pid}:${connection}:${++calls}`;
    const result = await quota.acquire({ provider, limits, reservationId, tokens: 0, holdMs: 10_000 });
    if (!result.granted) {
      if (result.retryAfterMs <= 0) throw new Error(`retryAfterMs ${result.retryAfterMs}`);
      await sleep(Math.min(result.retryAfterMs, until - Date.now()));
      continue;
    }
    // The provider counts the call when it arrives; then the answer takes 0-2 ms.
    arrivals.push(await redisTime(redis));
    await sleep(randomInt(3));
    await quota.settle({ provider, limits, reservationId, reservedTokens: 0, usedTokens: 0 });
  }
}

async function main(): Promise<void> {
  const limit = JSON.parse(process.env.QUOTA_LIMIT!) as QuotaLimit;
  const connections = Array.from(
    { length: Number(process.env.QUOTA_CONNECTIONS ?? 2) },
    () => new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
  );
  await Promise.all(connections.map((redis) => redis.ping()));
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  const runMs = Number(line.split(' ')[1]);
  const until = Date.now() + runMs;
  const arrivals: number[] = [];
  await Promise.all(connections.map((redis) => hammer(redis, limit, until, arrivals)));
  const report: HammerReport = { arrivals, stoppedAt: await redisTime(connections[0]!) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await Promise.all(connections.map((redis) => redis.quit()));
}

await main();
