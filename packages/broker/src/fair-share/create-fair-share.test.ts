import { parseConfig } from '@switchyard/config';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Priority } from '../job.ts';
import { createKeys } from '../keys.ts';
import { BAND_SIZE, BANDS, URGENT_PRIORITY, waitingAhead } from '../queue-priority.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../quota/test-support.ts';
import { createFairShare } from './create-fair-share.ts';

// The tags on a real BullMQ queue (no workers): the order BullMQ would serve, the weights, and
// the band's ends. Each test uses a queue of its own.

const prefix = testPrefix();
const keys = createKeys(prefix);
const config = parseConfig({ tenants: { heavy: { weight: 2 } } }, {});
let redis: Redis;
let fairShare: ReturnType<typeof createFairShare>;
const queues: Queue[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  fairShare = createFairShare({ redis, keys, config });
});

afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.close()));
  await deleteKeys(redis, prefix);
  await redis.quit();
});

function newQueue() {
  const name = keys.providerQueue(`p${queues.length}`);
  const queue = new Queue(name, { connection: redis, prefix: keys.queuePrefix(name) });
  queues.push(queue);
  return queue;
}

/** Adds and tags jobs as the dispatcher does. */
async function enqueue(queue: Queue, tenant: string, ids: string[], priority: Priority = 'batch') {
  for (const id of ids) {
    await queue.add('job', { id }, { jobId: id, priority: fairShare.parkedPriority({ priority }) });
    await fairShare.tag(queue, { tenant, priority }, id);
  }
}

/** Job ids in the order BullMQ serves them. */
const served = (queue: Queue) => redis.zrange(queue.keys.prioritized!, 0, -1);

const named = (tenant: string, count: number) => Array.from({ length: count }, (_, i) => `${tenant}${i}`);

describe('fair-share tags', () => {
  it('lays out the urgent priority, then the interactive band, then the batch band up to 2^21 - 1', () => {
    expect(URGENT_PRIORITY).toBe(1);
    expect(BANDS.interactive.first).toBe(2);
    expect(BANDS.interactive.last + 1).toBe(BANDS.batch.first);
    expect(BANDS.batch.last).toBe(2 ** 21 - 1);
    expect(BANDS.batch.last - BANDS.batch.first + 1).toBe(BAND_SIZE);
  });

  it("puts a later tenant's jobs between a backlogged tenant's, by turns", async () => {
    const queue = newQueue();
    await enqueue(queue, 'big', named('a', 6));
    await enqueue(queue, 'small', named('b', 3));
    expect(await served(queue)).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'a4', 'a5']);
    // What the start estimate counts ahead of each tenant's next job: up to its turn.
    expect(await fairShare.waitingAhead(queue, { tenant: 'newcomer', priority: 'batch' })).toBe(2);
    expect(await fairShare.waitingAhead(queue, { tenant: 'small', priority: 'batch' })).toBe(7);
    expect(await fairShare.waitingAhead(queue, { tenant: 'big', priority: 'batch' })).toBe(9);
    expect(await fairShare.waitingAhead(queue, { tenant: 'big', priority: 'interactive' })).toBe(0);
  });

  it('gives a tenant of weight 2 two turns for every one of weight 1', async () => {
    const queue = newQueue();
    await enqueue(queue, 'heavy', named('h', 6));
    await enqueue(queue, 'light', named('l', 3));
    expect(await served(queue)).toEqual(['h0', 'h1', 'l0', 'h2', 'h3', 'l1', 'h4', 'h5', 'l2']);
  });

  it('keeps every interactive job before every batch job, and priority 1 before both', async () => {
    const queue = newQueue();
    await enqueue(queue, 'big', named('batch', 2), 'batch');
    await enqueue(queue, 'big', named('inter', 2), 'interactive');
    await queue.add('job', {}, { jobId: 'urgent', priority: URGENT_PRIORITY });
    expect(await served(queue)).toEqual(['urgent', 'inter0', 'inter1', 'batch0', 'batch1']);
    expect(await waitingAhead(redis, queue, 'interactive')).toBe(3);
    expect(await waitingAhead(redis, queue, 'batch')).toBe(5);
  });

  it('starts a tenant that was served alone level with a newcomer, with no debt', async () => {
    const queue = newQueue();
    // Served one by one while alone: each job leaves the queue before the next arrives.
    for (const id of named('a', 50)) {
      await enqueue(queue, 'big', [id]);
      await queue.remove(id);
    }
    await enqueue(queue, 'big', ['a50', 'a51']);
    await enqueue(queue, 'small', ['b0', 'b1']);
    expect(await served(queue)).toEqual(['a50', 'b0', 'a51', 'b1']);
  });

  it('spends no turn when the same entry is tagged twice', async () => {
    const queue = newQueue();
    await enqueue(queue, 'big', ['a0']);
    const priority = (await queue.getJob('a0'))!.priority;
    await enqueue(queue, 'big', ['a0']);
    expect((await queue.getJob('a0'))!.priority).toBe(priority);
    await enqueue(queue, 'small', ['b0']);
    await enqueue(queue, 'big', ['a1']);
    expect(await served(queue)).toEqual(['a0', 'b0', 'a1']);
  });

  it("parks tags past the band's end at its last priority, and starts over once the band is idle", async () => {
    const queue = newQueue();
    const state = keys.fairShare(queue.name, 'batch');
    await enqueue(queue, 'other', ['first']);
    // Tenants whose tags reached the band's end after a long busy run.
    await redis.hset(state, 't:near', BAND_SIZE - 2, 't:past', BAND_SIZE + 5);
    await enqueue(queue, 'near', ['near']);
    await enqueue(queue, 'past', ['past0', 'past1']);
    expect((await queue.getJob('first'))!.priority).toBe(BANDS.batch.first);
    expect((await queue.getJob('near'))!.priority).toBe(BANDS.batch.last - 1);
    // Past the end: served after every other job of the band, in arrival order.
    expect((await queue.getJob('past0'))!.priority).toBe(BANDS.batch.last);
    expect(await served(queue)).toEqual(['first', 'near', 'past0', 'past1']);
    // Once nothing waits, a clock past half the band starts over from the band's first priority.
    await redis.hset(state, 'clock', BAND_SIZE / 2 + 1);
    for (const id of ['first', 'near', 'past0', 'past1']) await queue.remove(id);
    await enqueue(queue, 'past', ['fresh0']);
    await enqueue(queue, 'other', ['fresh1']);
    expect((await queue.getJob('fresh0'))!.priority).toBe(BANDS.batch.first);
    expect((await queue.getJob('fresh1'))!.priority).toBe(BANDS.batch.first);
  });
});
