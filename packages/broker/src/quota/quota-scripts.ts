import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** `--- @include "name"` (BullMQ's convention) pastes `includes/name.lua` in its place. */
const INCLUDE = /^--- @include "([\w-]+)"$/gm;

function readScript(path: string): string {
  return readFileSync(new URL(path, import.meta.url), 'utf8');
}

/** A script with its includes pasted in. Includes do not include each other. */
export function loadScript(name: string): string {
  return readScript(`./${name}.lua`).replace(INCLUDE, (_line, include: string) =>
    readScript(`./includes/${include}.lua`),
  );
}

type Argument = string | number;

/** The quota scripts as commands of one connection (EVALSHA, falling back to EVAL once). */
export interface QuotaCommands {
  quotaAcquire(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<number[]>;
  quotaSettle(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<number>;
  quotaRelease(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<number>;
  quotaUsage(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<[string, ...number[]]>;
  quotaTighten(numberOfKeys: number, ...keysAndArguments: Argument[]): Promise<string>;
}

const SCRIPTS = {
  quotaAcquire: 'acquire',
  quotaSettle: 'settle',
  quotaRelease: 'release',
  quotaUsage: 'usage',
  quotaTighten: 'tighten',
} as const satisfies Record<keyof QuotaCommands, string>;

let loaded: Record<keyof QuotaCommands, string> | undefined;

/** Defines the quota commands on a connection; the script files are read once per process. */
export function defineQuotaCommands(redis: Redis): QuotaCommands {
  loaded ??= Object.fromEntries(
    Object.entries(SCRIPTS).map(([command, file]) => [command, loadScript(file)]),
  ) as Record<keyof QuotaCommands, string>;
  for (const [command, lua] of Object.entries(loaded)) {
    // No numberOfKeys: each call passes its own, since the key count follows the limits.
    redis.defineCommand(command, { lua });
  }
  return redis as unknown as QuotaCommands;
}
