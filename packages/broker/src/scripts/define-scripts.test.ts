import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../keys.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../quota/test-support.ts';
import { defineScripts, readScript, SCRIPT_FILE_NAME } from './define-scripts.ts';

// Every package that runs Lua: the broker's modules and the batches.
const PACKAGES = ['broker', 'batches'].map((name) =>
  fileURLToPath(new URL(`../../../${name}/src`, import.meta.url)),
);

/** Every script file on disk (includes are pieces of scripts, not scripts). */
const SCRIPT_FILES = PACKAGES.flatMap((root) =>
  readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.lua') && !path.split(/[\\/]/).includes('includes'))
    .map((path) => join(root, path)),
).sort();

/** The `--[[ ... ]]` comment a script opens with, and the code after it. */
function splitHeader(text: string): { header: string; code: string } {
  if (!text.startsWith('--[[')) return { header: '', code: text };
  const end = text.indexOf(']]');
  return { header: text.slice(0, end + 2), code: text.slice(end + 2) };
}

const indexesOf = (text: string) =>
  [...text.matchAll(/KEYS\[(\d+)\](?!\s*\.\.)/g)].map((match) => Number(match[1]));

describe('the Lua script files', () => {
  it('are found in every module that runs Lua', () => {
    const folders = new Set(SCRIPT_FILES.map((path) => basename(dirname(path))));
    expect([...folders].sort()).toEqual([
      'backoff',
      'budgets',
      'fair-share',
      'health',
      'job-store',
      'quota',
      'src',
      'tenant-limits',
    ]);
  });

  it.each(SCRIPT_FILES.map((path) => [basename(path), path]))('%s', (name, path) => {
    const match = SCRIPT_FILE_NAME.exec(name);
    expect(match, 'named name-N.lua (N: number of keys) or name-n.lua (variadic)').not.toBeNull();
    const count = match![2]!;

    const { header, code } = splitHeader(readFileSync(path, 'utf8'));
    for (const part of ['Input', 'KEYS[', 'ARGV', 'Output']) expect(header).toContain(part);

    const listed = new Set(indexesOf(header));
    const variadicKeys = /KEYS\[\d+\.\.\]/.test(header);
    const source = readScript(pathToFileURL(path));
    if (count === 'n') {
      expect(variadicKeys, 'a variadic header lists its repeating keys as KEYS[k..]').toBe(true);
      expect(source.numberOfKeys).toBeUndefined();
    } else {
      const keyCount = Number(count);
      // The header lists KEYS[1] to KEYS[N], the code reads no key beyond, the loader defines N.
      expect([...listed].sort((a, b) => a - b)).toEqual(Array.from({ length: keyCount }, (_, i) => i + 1));
      expect(variadicKeys).toBe(false);
      expect(Math.max(0, ...indexesOf(code))).toBeLessThanOrEqual(keyCount);
      expect(source.numberOfKeys).toBe(keyCount);
    }
    expect(source.lua).not.toMatch(/--- @include/);

    // A module runs it: a source file beside it names it.
    const folder = dirname(path);
    const users = readdirSync(folder).filter(
      (file) =>
        file.endsWith('.ts') &&
        !file.endsWith('.test.ts') &&
        readFileSync(join(folder, file), 'utf8').includes(`new URL('./${name}', import.meta.url)`),
    );
    expect(users, `a module beside ${name} loads it`).not.toEqual([]);
  });
});

describe('defineScripts', () => {
  const prefix = testPrefix();
  const keys = createKeys(prefix);
  const readFile = new URL('../job-store/read-2.lua', import.meta.url);
  const usageFile = new URL('../quota/usage-n.lua', import.meta.url);
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  });

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('loads every script (includes pasted in) into Redis without an error', async () => {
    for (const path of SCRIPT_FILES) {
      const sha = await redis.script('LOAD', readScript(pathToFileURL(path)).lua);
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('runs a fixed script with its N keys, and refuses another number of keys', async () => {
    const { read } = defineScripts(redis, { read: readFile });
    await redis.hset(keys.job('a'), 'id', 'a');
    await redis.rpush(keys.jobAttempts('a'), '{}');
    expect(await read([keys.job('a'), keys.jobAttempts('a')])).toEqual([['id', 'a'], ['{}']]);
    await expect(read([keys.job('a')])).rejects.toThrow('read-2.lua: expected 2 keys, got 1');
  });

  it('passes the number of keys of each call to a variadic script', async () => {
    const { usage } = defineScripts(redis, { usage: usageFile });
    const scale = keys.quotaScale('p');
    const minute = keys.quota('p', 'provider', 'requests', '1m');
    const hour = keys.quota('p', 'provider', 'requests', '1h');
    expect(await usage([scale], [''])).toEqual(['1']);
    expect(await usage([scale, minute, hour], ['', 'requests', 5, 60_000, 'requests', 9, 3_600_000])).toEqual(
      ['1', 0, 0, 0, 0],
    );
  });

  it('reads a file once per process and defines a script once per connection', () => {
    expect(readScript(readFile)).toBe(readScript(readFile));
    const first = defineScripts(redis, { read: readFile });
    const second = defineScripts(redis, { again: readFile });
    expect(second.again).toBe(first.read);
  });

  it('sends the calls of one tick together (auto-pipelining)', async () => {
    const { read } = defineScripts(redis, { read: readFile });
    const calls = ['x', 'y', 'z'].map((id) => read([keys.job(id), keys.jobAttempts(id)]));
    expect(redis.autoPipelineQueueSize).toBe(3);
    expect(await Promise.all(calls)).toEqual([
      [[], []],
      [[], []],
      [[], []],
    ]);
  });
});
