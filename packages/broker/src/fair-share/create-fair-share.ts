import { type Config, tenantWeightOf } from '@switchyard/config';
import type { Queue } from 'bullmq';
import type { RedisConnection } from '../create-redis.ts';
import type { Job } from '../job.ts';
import type { Keys } from '../keys.ts';
import { BAND_SIZE, BANDS, scoreOf } from '../queue-priority.ts';
import { defineScripts } from '../scripts/define-scripts.ts';

/**
 * Once nothing of a class waits on a queue and its tags are past half the band, they start over
 * from 0: a queue that empties now and then never reaches the band's end.
 */
const RESTART_AFTER_TAG = Math.floor(BAND_SIZE / 2);

/**
 * Fair sharing between tenants on a provider queue (docs/security.md): start-time fair queuing
 * on BullMQ's own priority. A job is added parked at the end of its class's band (`parkedPriority`),
 * then `tag` moves it to its turn: tenants with waiting jobs take turns, in proportion to their
 * `weight`. BullMQ orders its prioritized set in Redis, so the order holds for every worker
 * process, with no dispatcher of our own.
 */
export interface FairShare {
  /** The priority to add a job with: the end of its class's band, until `tag` gives it its turn. */
  parkedPriority(job: Pick<Job, 'priority'>): number;
  /**
   * Gives entry `entryId` of `job`, just added parked to `queue`, its turn. A no-op for an entry
   * that is not parked (tagged already, promoted, or gone), so an enqueue may run twice.
   */
  tag(queue: Queue, job: Pick<Job, 'tenant' | 'priority'>, entryId: string): Promise<void>;
  /**
   * Waiting entries of `queue` a new job of this tenant and class would have ahead of it: the
   * more urgent ones, and those of its class at or before the turn it would get.
   */
  waitingAhead(queue: Queue, job: Pick<Job, 'tenant' | 'priority'>): Promise<number>;
}

export function createFairShare(deps: { redis: RedisConnection; keys: Keys; config: Config }): FairShare {
  const { redis, keys, config } = deps;
  const scripts = defineScripts(redis, {
    tag: new URL('./tag-3.lua', import.meta.url),
    ahead: new URL('./ahead-2.lua', import.meta.url),
  });
  return {
    parkedPriority: (job) => BANDS[job.priority].last,
    async tag(queue, job, entryId) {
      const band = BANDS[job.priority];
      await scripts.tag(
        [keys.fairShare(queue.name, job.priority), queue.keys.prioritized!, queue.toKey(entryId)],
        [
          entryId,
          job.tenant,
          1 / tenantWeightOf(config, job.tenant),
          scoreOf(1),
          band.first,
          band.last,
          scoreOf(band.first),
          scoreOf(band.last),
          RESTART_AFTER_TAG,
        ],
      );
    },
    async waitingAhead(queue, job) {
      const band = BANDS[job.priority];
      return scripts.ahead<number>(
        [keys.fairShare(queue.name, job.priority), queue.keys.prioritized!],
        [job.tenant, scoreOf(1), band.first, band.last, scoreOf(band.first), scoreOf(band.last)],
      );
    },
  };
}
