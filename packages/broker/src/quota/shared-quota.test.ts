import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { QuotaLimit } from './create-quota.ts';
import type { HammerReport } from './hammer-quota.ts';
import { deleteKeys, REDIS_URL, testPrefix } from './test-support.ts';

// Several processes, each with several connections, share one limit on the real clock.

const prefix = testPrefix();
let redis: Redis;
const children: ChildProcess[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const PROCESSES = 3;
const CONNECTIONS = 2;
const RUN_MS = 4500;
const limit: QuotaLimit = { scope: 'provider', unit: 'requests', max: 50, window: 2000 };

/** Starts a hammer process; resolves once it is connected, with a way to run it. */
async function startHammer(): Promise<{ run(): Promise<HammerReport> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./hammer-quota.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        REDIS_URL,
        QUOTA_PREFIX: prefix,
        QUOTA_PROVIDER: 'shared',
        QUOTA_LIMIT: JSON.stringify(limit),
        QUOTA_CONNECTIONS: String(CONNECTIONS),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const exited = new Promise<never>((_resolve, reject) =>
    child.once('exit', (code) => reject(new Error(`hammer process exited with ${code}`))),
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => String((await Promise.race([lines.next(), exited])).value);
  expect(await nextLine()).toBe('ready');
  return {
    async run() {
      child.stdin!.write(`go ${RUN_MS}\n`);
      return JSON.parse(await nextLine()) as HammerReport;
    },
  };
}

it(`never admits more than ${limit.max} calls in any ${limit.window} ms, and admits at least 98% of that`, async () => {
  const hammers = await Promise.all(Array.from({ length: PROCESSES }, startHammer));
  const reports = await Promise.all(hammers.map((hammer) => hammer.run()));
  const arrivals = reports.flatMap((report) => report.arrivals).sort((a, b) => a - b);
  const window = limit.window as number;

  // Every sliding interval (t - window, t]: the busiest ends at an arrival.
  let busiest = 0;
  let oldest = 0;
  for (let newest = 0; newest < arrivals.length; newest += 1) {
    while (arrivals[oldest]! <= arrivals[newest]! - window) oldest += 1;
    busiest = Math.max(busiest, newest - oldest + 1);
  }
  expect(busiest).toBeLessThanOrEqual(limit.max);

  // The most any sliding-window limiter admits from the first arrival to the first stop:
  // max at once, then max again each time a window has passed.
  const elapsed = Math.min(...reports.map((report) => report.stoppedAt)) - arrivals[0]!;
  const ideal = limit.max * (Math.floor(elapsed / window) + 1);
  expect(elapsed).toBeGreaterThan(RUN_MS - 500);
  expect(arrivals.length).toBeGreaterThanOrEqual(Math.ceil(0.98 * ideal));
  expect(reports.every((report) => report.arrivals.length > 0)).toBe(true); // every process took part
}, 20_000);
