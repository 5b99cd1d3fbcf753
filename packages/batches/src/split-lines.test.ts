import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BatchError } from './batch-error.ts';
import { splitLines } from './split-lines.ts';

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of source) lines.push(line);
  return lines;
}

describe('splitLines', () => {
  it('splits on \\n across chunk boundaries, multi-byte characters included', async () => {
    const text = 'first\r\nsecond ünïcödé €\n\nlast without newline';
    const bytes = Buffer.from(text);
    // One byte per chunk: every boundary falls inside a line, some inside a character.
    const chunks = Array.from(bytes, (byte) => Buffer.from([byte]));
    expect(await collect(splitLines(Readable.from(chunks), 100))).toEqual([
      'first\r',
      'second ünïcödé €',
      '',
      'last without newline',
    ]);
  });

  it('refuses a line past the limit while it streams, without reading the rest', async () => {
    let chunksRead = 0;
    async function* endless() {
      for (;;) {
        chunksRead++;
        yield Buffer.alloc(1024, 'a');
      }
    }
    const error = await collect(splitLines(endless(), 10 * 1024)).catch((caught: unknown) => caught);
    expect(BatchError.isInstance(error) && error.code).toBe('line_too_long');
    expect((error as Error).message).toMatch(/line 1 is longer than 10240 bytes/);
    expect(chunksRead).toBe(11);
  });

  it('names the line that is too long and takes a line of exactly the limit', async () => {
    const source = Readable.from([Buffer.from(`${'a'.repeat(8)}\n${'b'.repeat(9)}\n`)]);
    const lines: string[] = [];
    const error = await (async () => {
      for await (const line of splitLines(source, 8)) lines.push(line);
    })().catch((caught: unknown) => caught);
    expect(lines).toEqual(['aaaaaaaa']);
    expect((error as Error).message).toMatch(/^line 2 /);
  });
});
