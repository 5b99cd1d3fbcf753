import { randomUUID } from 'node:crypto';

export { deleteKeys, REDIS_URL } from '../../test/support/redis-prefix.ts';

/** A key prefix of its own for one benchmark run; `deleteKeys(prefix)` removes everything under it. */
export function benchPrefix(): string {
  return `bench-${randomUUID()}`;
}
