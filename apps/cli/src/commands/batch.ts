import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../api-client.ts';
import type { Batch, BatchStatus } from '../api-types.ts';
import { readBatchInput } from '../batch-input.ts';
import { writeResults, writeSummaries } from '../batch-results.ts';
import { type Command, type Io, positiveInteger, stringOption, UsageError } from '../command.ts';
import { ProgressReporter } from '../progress-bar.ts';
import { waitReason } from '../wait-reason.ts';

const TERMINAL: ReadonlySet<BatchStatus> = new Set(['completed', 'failed', 'cancelled', 'expired']);
const MAX_POLL_MS = 1_000;

export const batchCommand: Command = {
  name: 'batch',
  summary: 'submit a folder of .txt files or a JSONL file as a batch and collect the results',
  help: `Usage: switchyard batch <folder | file.jsonl> [options]

A folder becomes one request per .txt file (custom_id = file name, content = prompt + text).
A JSONL file (OpenAI batch lines) is uploaded as is. Waits for the batch, showing progress
on stderr, then writes <out>/output.jsonl, <out>/errors.jsonl and, for a folder, one
<out>/<name>.summary.txt per succeeded document.

Options:
  --route <name>         route for every request (required for a folder; overrides
                         body.model of a JSONL file)
  --max-tokens <n>       max tokens per summary (folder only, default 256)
  --prompt <text>        put before each document's text (folder only)
  --deadline <when>      RFC 3339 time or a duration from now (90s, 6h)
  --out <dir>            where to write the results (default results/)

Exit status: 0 every request succeeded, 1 some failed, 2 usage or API error.
`,
  options: {
    route: { type: 'string' },
    'max-tokens': { type: 'string' },
    prompt: { type: 'string' },
    deadline: { type: 'string' },
    out: { type: 'string' },
  },
  async run({ client, values, positionals, io }) {
    const [path, ...extra] = positionals;
    if (path === undefined) throw new UsageError('batch needs a folder or a JSONL file');
    if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
    const route = stringOption(values, 'route');
    const deadline = stringOption(values, 'deadline');
    const out = stringOption(values, 'out') ?? 'results';
    const maxTokens = positiveInteger(values, 'max-tokens') ?? 256;
    const prompt = stringOption(values, 'prompt');

    const input = await readBatchInput(path, () => {
      if (route === undefined) throw new UsageError('a folder needs --route');
      return { route, maxTokens, prompt };
    });
    for (const name of input.skipped) io.stderr.write(`skipping empty file ${name}\n`);

    const file = await client.uploadBatchFile(input.file, input.filename);
    const created = await client.createBatch({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      ...(route === undefined ? {} : { route }),
      ...(deadline === undefined ? {} : { deadline }),
    });
    io.stderr.write(`batch ${created.id} created from ${input.filename} (${file.bytes} bytes)\n`);

    const batch = await pollUntilDone(client, created, io);
    await mkdir(out, { recursive: true });
    const paths = await writeResults(client, batch, out);
    const summaries = input.documents ? await writeSummaries(paths.output, input.documents, out) : 0;
    return report(batch, paths, input.documents ? summaries : undefined, io);
  },
};

async function pollUntilDone(client: ApiClient, first: Batch, io: Io): Promise<Batch> {
  const progress = new ProgressReporter(io.stderr);
  let batch = first;
  let delay = 200;
  try {
    for (;;) {
      const { total, completed, failed } = batch.request_counts;
      const detail = TERMINAL.has(batch.status) ? undefined : await waitingFor(client);
      progress.update(completed + failed, total, batch.status, detail);
      if (TERMINAL.has(batch.status)) return batch;
      await sleep(delay);
      delay = Math.min(MAX_POLL_MS, delay * 2);
      batch = await client.getBatch(batch.id);
    }
  } finally {
    progress.finish();
  }
}

/** What the waiting jobs wait for (GET /v1/providers); nothing when that cannot be read. */
async function waitingFor(client: ApiClient): Promise<string | undefined> {
  try {
    return waitReason(await client.providers());
  } catch {
    return undefined; // the progress bar goes on without it
  }
}

function report(
  batch: Batch,
  paths: { output: string; errors: string },
  summaries: number | undefined,
  io: Io,
): number {
  const { total, completed, failed } = batch.request_counts;
  io.stdout.write(
    `batch ${batch.id} ${batch.status}: ${completed} succeeded, ${failed} failed of ${total}\n`,
  );
  io.stdout.write(`wrote ${paths.output} and ${paths.errors}\n`);
  if (summaries !== undefined) io.stdout.write(`wrote ${summaries} summaries\n`);
  if (batch.status !== 'completed') {
    if (batch.errors) io.stderr.write(`batch errors: ${JSON.stringify(batch.errors)}\n`);
    io.stderr.write(`the batch ended ${batch.status}\n`);
    return 1;
  }
  if (failed > 0) {
    io.stderr.write(`${failed} of ${total} requests failed: see ${paths.errors}\n`);
    return 1;
  }
  return 0;
}
