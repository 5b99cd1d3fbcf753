import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** The batch scripts as commands of one connection (EVALSHA, falling back to EVAL once). */
export interface BatchCommands {
  /** See transition-batch-1.lua. */
  batchTransition(
    batchKey: string,
    allowed: string,
    status: string,
    ...fields: string[]
  ): Promise<[number, string?]>;
  /** See count-lines-2.lua. */
  batchCountLines(
    batchKey: string,
    countedKey: string,
    counter: string,
    ...indexes: number[]
  ): Promise<number>;
}

let loaded: { transition: string; countLines: string } | undefined;

export function defineBatchCommands(redis: Redis): BatchCommands {
  loaded ??= {
    transition: readFileSync(new URL('./transition-batch-1.lua', import.meta.url), 'utf8'),
    countLines: readFileSync(new URL('./count-lines-2.lua', import.meta.url), 'utf8'),
  };
  redis.defineCommand('batchTransition', { numberOfKeys: 1, lua: loaded.transition });
  redis.defineCommand('batchCountLines', { numberOfKeys: 2, lua: loaded.countLines });
  return redis as unknown as BatchCommands;
}
