import { openAsBlob } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from './command.ts';

export interface BatchInput {
  /** The JSONL file to upload. */
  file: Blob;
  filename: string;
  /** For a folder: the custom_id (file name) of every document, in order. */
  documents?: string[];
  /** Documents left out (empty files). */
  skipped: string[];
}

export interface FolderOptions {
  route: string;
  maxTokens: number;
  prompt?: string;
}

/** A folder of .txt files becomes one request per file; any other file is JSONL, sent as is. */
export async function readBatchInput(path: string, folder: () => FolderOptions): Promise<BatchInput> {
  const info = await stat(path).catch(() => {
    throw new UsageError(`no such file or folder: ${path}`);
  });
  if (!info.isDirectory()) {
    return { file: await openAsBlob(path), filename: basename(path), skipped: [] };
  }
  return readFolder(path, folder());
}

async function readFolder(path: string, options: FolderOptions): Promise<BatchInput> {
  const entries = await readdir(path, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.txt'))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) throw new UsageError(`no .txt files in ${path}`);
  const lines: string[] = [];
  const documents: string[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const text = (await readFile(join(path, name), 'utf8')).trim();
    if (text === '') {
      skipped.push(name);
      continue;
    }
    const content = options.prompt ? `${options.prompt}\n\n${text}` : text;
    documents.push(name);
    lines.push(
      JSON.stringify({
        custom_id: name,
        method: 'POST',
        url: '/v1/chat/completions',
        body: {
          model: options.route,
          messages: [{ role: 'user', content }],
          max_tokens: options.maxTokens,
        },
      }),
    );
  }
  if (documents.length === 0) throw new UsageError(`every .txt file in ${path} is empty`);
  const file = new Blob([`${lines.join('\n')}\n`], { type: 'application/jsonl' });
  return { file, filename: `${basename(path) || 'documents'}.jsonl`, documents, skipped };
}
