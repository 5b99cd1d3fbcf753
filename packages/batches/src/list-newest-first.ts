import type { RedisConnection } from '@switchyard/broker';

/** An OpenAI list page (`GET /v1/batches`, `GET /v1/files`). */
export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface ListOptions {
  /** The id the previous page ended with. */
  after?: string;
  /** 1 to 100; default 20. */
  limit?: number;
}

/**
 * One page of a tenant's index (a sorted set scored by creation time), newest first.
 * Entries whose record has expired are dropped from the index on the way.
 */
export async function listNewestFirst<T extends { id: string }>(
  redis: RedisConnection,
  indexKey: string,
  options: ListOptions,
  load: (ids: string[]) => Promise<(T | undefined)[]>,
): Promise<ListPage<T>> {
  const limit = Math.min(100, Math.max(1, Math.trunc(options.limit ?? 20)));
  let start = 0;
  if (options.after !== undefined) {
    const rank = await redis.zrevrank(indexKey, options.after);
    if (rank === null) return { object: 'list', data: [], first_id: null, last_id: null, has_more: false };
    start = rank + 1;
  }
  const ids = await redis.zrevrange(indexKey, start, start + limit);
  const hasMore = ids.length > limit;
  const pageIds = ids.slice(0, limit);
  const records = await load(pageIds);
  const gone = pageIds.filter((_id, index) => records[index] === undefined);
  if (gone.length > 0) await redis.zrem(indexKey, ...gone);
  const data = records.filter((record): record is T => record !== undefined);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: hasMore,
  };
}
