import { BrokerError, type JobError } from '@switchyard/broker';
import type { BatchContext } from './batch-context.ts';
import type { LineProblem } from './batch-error.ts';
import { batchJobId } from './batch-ids.ts';
import { MAX_FILE_PROBLEMS } from './create-file-store.ts';
import { findUnknownRoutes } from './find-unknown-routes.ts';
import { finishBatch } from './finish-batch.ts';
import { parseRequestLine } from './parse-request-line.ts';
import { RESULT_PAGE_LINES } from './read-results.ts';

/** What a `batch-submit` queue job does: `submit` a new batch, or walk a cancelled one. */
export type BatchTask = 'submit' | 'cancel';

/** `interrupted`: the process is closing; the task must run again (it resumes from its cursors). */
export type TaskOutcome = 'done' | 'interrupted';

/**
 * Runs a batch forward from what its record says, a page at a time, saving a cursor after
 * each page, so it can stop (or crash) anywhere and be run again:
 * - `submit`: validating -> in_progress, submits lines from `cursor`, and ends submission by
 *   setting `submitted_until` (all lines; or, once the batch is cancelling, where it stopped).
 *   Only this task sets `submitted_until`, so no line is submitted after the cancel walk
 *   counted it as never submitted.
 * - both: when cancelling, cancels every submitted job and counts never-submitted lines as
 *   failed (`cancel_cursor`); then finishes the batch if it is done.
 */
export async function runBatch(
  context: BatchContext,
  batchId: string,
  task: BatchTask,
  shouldStop: () => boolean,
): Promise<TaskOutcome> {
  let batch = await context.load(batchId);
  if (!batch) return 'done';

  if (task === 'submit') {
    if (batch.status === 'validating') {
      const lines = await context.files.lineCount(batch.tenant!, batch.input_file_id!);
      if (lines === undefined) {
        await context.transition(batchId, ['validating'], 'failed', {
          failed_at: Date.now(),
          errors: JSON.stringify({
            object: 'list',
            data: [
              { code: 'invalid_file', message: `The input file ${batch.input_file_id} no longer exists` },
            ],
          }),
        });
        await finishBatch(context, batchId);
        return 'done';
      }
      if (!batch.route && (await failOnUnknownRoutes(context, batch, lines))) return 'done';
      await context.transition(batchId, ['validating'], 'in_progress', { in_progress_at: Date.now() });
    }
    const outcome = await submit(context, batchId, shouldStop);
    if (outcome === 'interrupted') return outcome;
    batch = await context.load(batchId);
    if (!batch) return 'done';
  }

  if (batch.status === 'cancelling' && (await walkCancelled(context, batchId, shouldStop)) === 'interrupted')
    return 'interrupted';
  await finishBatch(context, batchId);
  return 'done';
}

/**
 * Fails a validating batch whose lines name routes or models the configuration does not
 * know (each line would fail), listing them in the batch's `errors`. True when it failed.
 */
async function failOnUnknownRoutes(
  context: BatchContext,
  batch: Record<string, string>,
  lines: number,
): Promise<boolean> {
  const problems: LineProblem[] = [];
  for (let start = 0; start < lines && problems.length < MAX_FILE_PROBLEMS; start += context.pageSize) {
    const page = await context.files.readPage(batch.input_file_id!, start, context.pageSize);
    findUnknownRoutes(context.broker.config, page, start + 1, problems);
  }
  if (problems.length === 0) return false;
  await context.transition(batch.id!, ['validating'], 'failed', {
    failed_at: Date.now(),
    errors: JSON.stringify({
      object: 'list',
      data: problems.map((problem) => ({
        code: 'unknown_route',
        message: problem.message,
        line: problem.line,
        param: 'body.model',
      })),
    }),
  });
  await finishBatch(context, batch.id!);
  return true;
}

async function submit(
  context: BatchContext,
  batchId: string,
  shouldStop: () => boolean,
): Promise<TaskOutcome> {
  for (;;) {
    const batch = await context.load(batchId);
    if (!batch || batch.submitted_until !== undefined) return 'done';
    const cursor = Number(batch.cursor ?? 0);
    const total = Number(batch.total);
    if (batch.status === 'cancelling') {
      await context.transition(batchId, ['cancelling'], '', { submitted_until: cursor });
      return 'done';
    }
    if (batch.status !== 'in_progress') return 'done';
    if (cursor >= total) {
      // Refused when a cancel came in meanwhile: the next round takes the cancelling path.
      if (await context.transition(batchId, ['in_progress'], '', { submitted_until: total })) return 'done';
      continue;
    }
    if (shouldStop()) return 'interrupted';
    const end = Math.min(total, cursor + context.pageSize);
    await submitPage(context, batch, cursor, end);
    await context.redis.hset(context.keys.batch(batchId), 'cursor', String(end));
    await context.onProgress?.(batchId, end);
  }
}

/** Submits lines `start .. end - 1`; a line the broker refuses is failed at once, with why. */
async function submitPage(
  context: BatchContext,
  batch: Record<string, string>,
  start: number,
  end: number,
): Promise<void> {
  const batchId = batch.id!;
  const lines = await context.files.readPage(batch.input_file_id!, start, end - start);
  const deadline = batch.deadline
    ? Number(batch.deadline)
    : Number(batch.created_at) + context.broker.config.scheduling.deadlines.batch;
  const refused = new Map<number, JobError>();
  await Promise.all(
    Array.from({ length: end - start }, async (_, offset) => {
      const index = start + offset;
      const line = lines[offset];
      if (line === undefined) {
        refused.set(index, {
          code: 'input_file_expired',
          message: 'The input file expired before this line was read',
        });
        return;
      }
      const parsed = parseRequestLine(line);
      if (!parsed.ok) {
        refused.set(index, { code: 'invalid_request', message: parsed.message });
        return;
      }
      const { request } = parsed;
      try {
        await context.broker.submit({
          id: batchJobId(batchId, index),
          tenant: batch.tenant!,
          route: batch.route || request.model,
          ...request.input,
          priority: 'batch',
          deadline,
          batchId,
          customId: request.customId,
          // Each job reports to the batch's callback too: job.succeeded / job.failed per line.
          callbackUrl: batch.callback_url || undefined,
        });
      } catch (error) {
        if (!(error instanceof BrokerError)) throw error;
        refused.set(index, { code: error.code, message: error.message });
      }
    }),
  );
  if (refused.size > 0) await refuse(context, batchId, refused);
}

/** Records why lines were not submitted (for the error file) and counts them as failed. */
async function refuse(context: BatchContext, batchId: string, refused: Map<number, JobError>): Promise<void> {
  const write = context.redis.multi();
  for (const [index, error] of refused) {
    const key = context.keys.batchRefused(batchId, Math.floor(index / RESULT_PAGE_LINES));
    write.hset(key, String(index), JSON.stringify(error)).pexpire(key, context.runningTtlMs);
  }
  await write.exec();
  await context.countLines(batchId, 'failed', [...refused.keys()]);
}

/**
 * Cancels the jobs of a cancelling batch, a page at a time from `cancel_cursor`. Goes as far
 * as `cursor` while submission runs (the submit task carries on once it has stopped), and to
 * the end once it has stopped: lines past `submitted_until` without a job were never
 * submitted, and are counted as failed here.
 */
async function walkCancelled(
  context: BatchContext,
  batchId: string,
  shouldStop: () => boolean,
): Promise<TaskOutcome> {
  for (;;) {
    const batch = await context.load(batchId);
    if (batch?.status !== 'cancelling') return 'done';
    const stoppedAt = batch.submitted_until === undefined ? undefined : Number(batch.submitted_until);
    const limit = stoppedAt === undefined ? Number(batch.cursor ?? 0) : Number(batch.total);
    const position = Number(batch.cancel_cursor ?? 0);
    if (position >= limit) return 'done';
    if (shouldStop()) return 'interrupted';
    const end = Math.min(limit, position + context.pageSize);
    const indexes = Array.from({ length: end - position }, (_, offset) => position + offset);
    // Past `submitted_until` only a crashed page can have jobs: look before cancelling.
    // One command per job (auto-pipelined), not a pipeline: jobs live on different cluster slots.
    const found = await Promise.all(
      indexes.map(
        async (index) =>
          (await context.redis.exists(context.broker.keys.job(batchJobId(batchId, index)))) === 1,
      ),
    );
    const neverSubmitted = indexes.filter(
      (index, offset) => stoppedAt !== undefined && index >= stoppedAt && !found[offset],
    );
    await Promise.all(
      indexes
        .filter((_, offset) => found[offset])
        .map((index) => context.broker.cancel(batchJobId(batchId, index))),
    );
    if (neverSubmitted.length > 0) await context.countLines(batchId, 'failed', neverSubmitted);
    await context.redis.hset(context.keys.batch(batchId), 'cancel_cursor', String(end));
  }
}
