import { BatchError } from './batch-error.ts';

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines (without `\n`), holding at most one line in memory: a line
 * that grows past `maxLineBytes` is refused (`BatchError('line_too_long')`, 413) as soon as it
 * does, before the rest of it is read — unlike `readline`, which buffers a line of any length
 * (a 200 MB file with no newline would be one 200 MB string). Lines split on the `\n` byte,
 * which never occurs inside a multi-byte UTF-8 character, so each line decodes whole.
 */
export async function* splitLines(
  source: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNumber = 1;
  const tooLong = () =>
    new BatchError(
      'line_too_long',
      `line ${lineNumber} is longer than ${maxLineBytes} bytes, the limit of one request line`,
      { line: lineNumber, maxLineBytes },
    );
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let start = 0;
    for (
      let newline = chunk.indexOf(NEWLINE, start);
      newline !== -1;
      newline = chunk.indexOf(NEWLINE, start)
    ) {
      if (pendingBytes + newline - start > maxLineBytes) throw tooLong();
      const tail = chunk.subarray(start, newline);
      yield (pending.length === 0 ? tail : Buffer.concat([...pending, tail])).toString('utf8');
      pending = [];
      pendingBytes = 0;
      lineNumber++;
      start = newline + 1;
    }
    if (start < chunk.length) {
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) throw tooLong();
      pending.push(chunk.subarray(start));
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending).toString('utf8');
}
