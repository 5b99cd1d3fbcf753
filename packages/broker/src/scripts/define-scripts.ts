import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisConnection } from '../create-redis.ts';

/**
 * The one way Switchyard runs Lua: every script is a file beside the module that runs it,
 * defined on a connection with ioredis `defineCommand`, so a call goes by EVALSHA (EVAL once
 * when Redis does not know the script yet) and joins the connection's auto-pipeline.
 *
 * File names follow BullMQ's convention, `name-N.lua`, N being the number of keys, and every
 * file opens with a comment giving its KEYS, its ARGV and its Output. The name is the one
 * place the key count is written: the loader reads it from there.
 *
 * Variadic scripts (the quota scripts, whose keys follow the number of limits) are named
 * `name-n.lua` with a literal `n`; their header lists the fixed keys first, then the keys
 * that repeat (`KEYS[2..]  per limit...`). They run by EVALSHA (EVAL when Redis does not know
 * them yet), each call passing the length of its `keys` array as numberOfKeys.
 *
 * A line `--- @include "name"` (BullMQ's convention) is replaced by `includes/name.lua`
 * of the script's folder. Includes do not include each other.
 *
 * Each file is read once per process, and each script defined once per connection.
 */

export type ScriptArgument = string | number;

/** One script, defined on one connection. */
export interface LuaScript {
  /**
   * Runs the script. A fixed script refuses a `keys` array of another length than its N
   * (a bug in the caller, not a Redis error). The reply's type is the caller's to state,
   * as the file's Output describes it.
   */
  <Reply = unknown>(keys: readonly string[], args?: readonly ScriptArgument[]): Promise<Reply>;
  /** N of `name-N.lua`; undefined for a variadic `name-n.lua`. */
  readonly numberOfKeys: number | undefined;
  /** The file, for messages and tests. */
  readonly file: URL;
}

export interface ScriptSource {
  /** The script with its includes pasted in. */
  lua: string;
  /** N of `name-N.lua`; undefined for a variadic `name-n.lua`. */
  numberOfKeys: number | undefined;
}

/** `name-N.lua` or `name-n.lua`: lower camel or kebab case name, then the key count. */
export const SCRIPT_FILE_NAME = /^([a-z][a-zA-Z0-9]*(?:-[a-z][a-zA-Z0-9]*)*)-(\d+|n)\.lua$/;

const INCLUDE = /^--- @include "([\w-]+)"$/gm;

const sources = new Map<string, ScriptSource>();
const defined = new WeakMap<RedisConnection, Map<string, LuaScript>>();

function read(file: URL): string {
  return readFileSync(file, 'utf8');
}

/** The script of a file, includes pasted in, and its key count (read once per process). */
export function readScript(file: URL): ScriptSource {
  const cached = sources.get(file.href);
  if (cached) return cached;
  const name = basename(fileURLToPath(file));
  const match = SCRIPT_FILE_NAME.exec(name);
  if (!match) throw new Error(`${name}: a Lua script's file is named name-N.lua (N: its number of keys)`);
  const lua = read(file).replace(INCLUDE, (_line, include: string) =>
    read(new URL(`./includes/${include}.lua`, file)),
  );
  const source = { lua, numberOfKeys: match[2] === 'n' ? undefined : Number(match[2]) };
  sources.set(file.href, source);
  return source;
}

type Command = (...keysAndArguments: ScriptArgument[]) => Promise<unknown>;

function defineScript(redis: RedisConnection, file: URL): LuaScript {
  let scripts = defined.get(redis);
  if (!scripts) {
    scripts = new Map();
    defined.set(redis, scripts);
  }
  const existing = scripts.get(file.href);
  if (existing) return existing;

  const { lua, numberOfKeys } = readScript(file);
  let command: Command;
  if (numberOfKeys === undefined) {
    // Not a defined command: ioredis's auto-pipeline routes a Redis Cluster command by its first
    // key only when it knows the command's key positions, and a defined variadic command starts
    // with its key count (it would go to the node serving the slot of "3", failing that node's
    // whole pipeline). EVALSHA it knows; EVAL once when Redis does not know the script yet.
    const sha = createHash('sha1').update(lua).digest('hex');
    command = async (count, ...keysAndArguments) => {
      try {
        return await redis.evalsha(sha, count!, ...keysAndArguments);
      } catch (error) {
        if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
        return redis.eval(lua, count!, ...keysAndArguments);
      }
    };
  } else {
    // The file's address names the command: unique per file, and never an ioredis method.
    const name = `lua:${file.pathname}`;
    redis.defineCommand(name, { lua, numberOfKeys });
    command = (redis as unknown as Record<string, Command>)[name]!.bind(redis);
  }
  const run = <Reply>(keys: readonly string[], args: readonly ScriptArgument[] = []) => {
    if (numberOfKeys === undefined) return command(keys.length, ...keys, ...args) as Promise<Reply>;
    if (keys.length !== numberOfKeys) {
      return Promise.reject(
        new TypeError(`${basename(file.pathname)}: expected ${numberOfKeys} keys, got ${keys.length}`),
      );
    }
    return command(...keys, ...args) as Promise<Reply>;
  };
  const script = Object.assign(run, { numberOfKeys, file }) as LuaScript;
  scripts.set(file.href, script);
  return script;
}

/**
 * Defines scripts on a connection, by the names the caller gives them:
 * `defineScripts(redis, { acquire: new URL('./acquire-n.lua', import.meta.url) })`.
 */
export function defineScripts<Name extends string>(
  redis: RedisConnection,
  files: Record<Name, URL>,
): Record<Name, LuaScript> {
  const scripts = {} as Record<Name, LuaScript>;
  for (const name of Object.keys(files) as Name[]) scripts[name] = defineScript(redis, files[name]);
  return scripts;
}
