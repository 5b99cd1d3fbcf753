import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ApiClient } from './api-client.ts';
import type { Batch } from './api-types.ts';

/** Streams a file's content to `path`; an absent file (`null` id) becomes an empty one. */
async function downloadFile(client: ApiClient, id: string | null, path: string): Promise<void> {
  if (id === null) {
    await writeFile(path, '');
    return;
  }
  const body = await client.fileContent(id);
  await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), createWriteStream(path));
}

export async function writeResults(client: ApiClient, batch: Batch, out: string) {
  const output = join(out, 'output.jsonl');
  const errors = join(out, 'errors.jsonl');
  await downloadFile(client, batch.output_file_id, output);
  await downloadFile(client, batch.error_file_id, errors);
  return { output, errors };
}

interface OutputLine {
  custom_id?: string;
  response?: { body?: { choices?: { message?: { content?: string } }[] } };
}

/**
 * One `<out>/<name>.summary.txt` per succeeded document, read line by line from output.jsonl.
 * Only custom_ids naming a document of the folder are written (never a path from the server).
 */
export async function writeSummaries(outputPath: string, documents: string[], out: string): Promise<number> {
  const known = new Set(documents);
  const lines = createInterface({ input: createReadStream(outputPath), crlfDelay: Number.POSITIVE_INFINITY });
  let written = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const parsed = JSON.parse(line) as OutputLine;
    const name = parsed.custom_id;
    const content = parsed.response?.body?.choices?.[0]?.message?.content;
    if (name === undefined || !known.has(name) || content === undefined) continue;
    await writeFile(join(out, `${name.replace(/\.txt$/, '')}.summary.txt`), `${content.trim()}\n`);
    written++;
  }
  return written;
}
