import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchError } from './batch-error.ts';
import { createFileStore, type FileStore, MAX_FILE_REQUESTS } from './create-file-store.ts';
import { collect, connect, deleteKeys, keysUnder, testPrefix } from './test-support.ts';

// The file store against a real Redis.

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function retainedHeap(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const prefix = testPrefix();
let redis: Redis;
let files: FileStore;

beforeAll(() => {
  redis = connect();
  files = createFileStore({ redis, prefix, retentionMs: 3_600_000 });
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const request = (customId: string, content = 'Summarize this.') =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'main', messages: [{ role: 'user', content }], max_tokens: 32 },
  });

async function* streamed(lines: string[]): AsyncGenerator<string> {
  for (const line of lines) yield line;
}

describe('file store', () => {
  it('stores a file of valid lines and streams it back, for its tenant only', async () => {
    const lines = [request('a'), request('b'), request('c')];
    const file = await files.createFromLines(
      'acme',
      { filename: 'in.jsonl', purpose: 'batch' },
      streamed(lines),
    );
    expect(file).toEqual({
      id: expect.stringMatching(/^file-[A-Za-z0-9_-]+$/),
      object: 'file',
      bytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0),
      created_at: expect.any(Number),
      filename: 'in.jsonl',
      purpose: 'batch',
      status: 'processed',
    });
    expect(Math.abs(file.created_at - Date.now() / 1000)).toBeLessThan(5);
    expect(await files.get('acme', file.id)).toEqual(file);
    expect(await collect(files.readLines('acme', file.id))).toEqual(lines);
    expect(await files.lineCount('acme', file.id)).toBe(3);
    expect((await files.list('acme')).data.map((listed) => listed.id)).toContain(file.id);

    expect(await files.get('globex', file.id)).toBeUndefined();
    expect(await files.lineCount('globex', file.id)).toBeUndefined();
    await expect(collect(files.readLines('globex', file.id))).rejects.toMatchObject({ code: 'not_found' });
    expect((await files.list('globex')).data).toEqual([]);
  });

  it('refuses a file with bad lines, saying which, and leaves nothing stored', async () => {
    const before = await keysUnder(redis, prefix);
    const lines = [
      request('a'),
      '{"custom_id": "b", "method": "POST"',
      request('a'),
      '',
      JSON.stringify({ custom_id: 'd', method: 'POST', url: '/v1/embeddings', body: {} }),
      request('e'),
      JSON.stringify({
        custom_id: 'f',
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'main' },
      }),
    ];
    // Enough valid lines before the problems that some were already written in chunks.
    const many = [...Array.from({ length: 2_500 }, (_, index) => request(`ok-${index}`)), ...lines];
    const error = await files
      .createFromLines('acme', { filename: 'bad.jsonl', purpose: 'batch' }, streamed(many))
      .catch((caught: unknown) => caught);
    expect(BatchError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_file' });
    expect((error as BatchError).details).toEqual([
      { line: 2_502, message: expect.stringContaining('not valid JSON') },
      { line: 2_503, message: 'custom_id "a" is also on line 2501' },
      { line: 2_505, message: 'url: expected "/v1/chat/completions"' },
      { line: 2_507, message: expect.stringMatching(/^body.messages: /) },
    ]);
    expect((error as Error).message).toMatch(/line 2502: not valid JSON/);
    expect(await keysUnder(redis, prefix)).toEqual(before);
  });

  it('refuses an empty file and other purposes', async () => {
    await expect(
      files.createFromLines('acme', { filename: 'empty.jsonl', purpose: 'batch' }, ['', '  ']),
    ).rejects.toMatchObject({ code: 'invalid_file' });
    await expect(
      files.createFromLines('acme', { filename: 'x', purpose: 'fine-tune' as 'batch' }, [request('a')]),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it(`stores ${MAX_FILE_REQUESTS} lines in chunks and streams them back with bounded memory`, async () => {
    const filler = 'x'.repeat(900);
    const lineAt = (index: number) => request(`line-${index}`, `${index} ${filler}`);
    // Heap still in use after a full collection, at checkpoints while the file streams in and out.
    const baseline = retainedHeap();
    let peak = baseline;
    const checkpoint = (index: number) => {
      if (index % 10_000 === 5_000) peak = Math.max(peak, retainedHeap());
    };
    function* generate(count: number): Generator<string> {
      for (let index = 0; index < count; index++) {
        checkpoint(index);
        yield lineAt(index);
      }
    }

    const file = await files.createFromLines(
      'acme',
      { filename: 'big.jsonl', purpose: 'batch' },
      generate(MAX_FILE_REQUESTS),
    );
    let count = 0;
    let mismatches = 0;
    for await (const line of files.readLines('acme', file.id)) {
      checkpoint(count);
      if (line !== lineAt(count)) mismatches++;
      count++;
    }
    expect(count).toBe(MAX_FILE_REQUESTS);
    expect(mismatches).toBe(0);
    expect(file.bytes).toBeGreaterThan(45_000_000);
    // The file is ~48 MB. What is retained is the custom_id index of the upload (~5 MB at 50,000
    // lines, one 96-bit digest per line), not the lines.
    expect(peak - baseline).toBeLessThan(16 * 1024 * 1024);

    // One line per list element; every other value is small.
    expect(await redis.llen(files.keys.fileLines(file.id))).toBe(MAX_FILE_REQUESTS);
    for (const key of await keysUnder(redis, prefix)) {
      if (key === files.keys.fileLines(file.id)) continue;
      expect(Number(await redis.memory('USAGE', key))).toBeLessThan(1024 * 1024);
    }

    // One line too many is refused, and nothing of it stays.
    const before = await keysUnder(redis, prefix);
    await expect(
      files.createFromLines(
        'acme',
        { filename: 'huge.jsonl', purpose: 'batch' },
        generate(MAX_FILE_REQUESTS + 1),
      ),
    ).rejects.toMatchObject({
      code: 'invalid_file',
      details: [
        { line: MAX_FILE_REQUESTS + 1, message: `the file has more than ${MAX_FILE_REQUESTS} requests` },
      ],
    });
    expect(await keysUnder(redis, prefix)).toEqual(before);
  });
});
