import type { JobError } from '@switchyard/broker';
import type { BatchContext } from './batch-context.ts';
import { batchJobId, batchRequestId } from './batch-ids.ts';
import { toErrorLine, toOutputLine } from './to-result-line.ts';

/** Line indexes per page of results; also the span of one `batchRefused` hash. */
export const RESULT_PAGE_LINES = 500;

const NOT_SUBMITTED: JobError = {
  code: 'batch_cancelled',
  message: 'The batch was cancelled before this request was submitted',
};

export interface ResultPage {
  output: string[];
  errors: string[];
}

/**
 * The output and error lines of a batch, built page by page from the jobs (one pipelined
 * read per page), in line order. Lines whose job is not terminal yet are left out.
 */
export async function* readResultPages(
  context: BatchContext,
  batch: Record<string, string>,
): AsyncGenerator<ResultPage> {
  const { broker, files, keys, redis } = context;
  const batchId = batch.id!;
  const total = Number(batch.total);
  const stoppedAt =
    batch.submitted_until === undefined ? Number.POSITIVE_INFINITY : Number(batch.submitted_until);
  for (let start = 0; start < total; start += RESULT_PAGE_LINES) {
    const end = Math.min(total, start + RESULT_PAGE_LINES);
    const indexes = Array.from({ length: end - start }, (_, offset) => start + offset);
    const [lines, refused, jobs] = await Promise.all([
      files.readPage(batch.input_file_id!, start, end - start),
      redis.hgetall(keys.batchRefused(batchId, start / RESULT_PAGE_LINES)),
      Promise.all(indexes.map((index) => broker.get(batchJobId(batchId, index)))),
    ]);
    const page: ResultPage = { output: [], errors: [] };
    indexes.forEach((index, offset) => {
      const requestId = batchRequestId(batchId, index);
      const job = jobs[offset];
      if (job) {
        const customId = job.custom_id ?? customIdOf(lines[offset]);
        if (job.status === 'succeeded' && job.result) {
          page.output.push(toOutputLine(requestId, customId ?? '', job, job.result));
        } else if (job.status === 'failed' || job.status === 'cancelled') {
          const error = job.error ?? { code: job.status, message: `The request ${job.status}` };
          page.errors.push(toErrorLine(requestId, customId, error));
        }
        return;
      }
      const refusal = refused[String(index)];
      if (refusal !== undefined) {
        page.errors.push(toErrorLine(requestId, customIdOf(lines[offset]), JSON.parse(refusal) as JobError));
      } else if (index >= stoppedAt) {
        page.errors.push(toErrorLine(requestId, customIdOf(lines[offset]), NOT_SUBMITTED));
      }
    });
    yield page;
  }
}

function customIdOf(line: string | undefined): string | null {
  if (line === undefined) return null;
  try {
    const parsed = JSON.parse(line) as { custom_id?: unknown };
    return typeof parsed.custom_id === 'string' ? parsed.custom_id : null;
  } catch {
    return null;
  }
}
