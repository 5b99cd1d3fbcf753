import type { BatchContext } from './batch-context.ts';
import { resultFileId } from './batch-ids.ts';
import { RESULT_PAGE_LINES, readResultPages } from './read-results.ts';
import { TERMINAL_BATCH_STATUSES, toBatch } from './to-batch.ts';

/**
 * Ends a batch whose every line is counted and whose submission is over: `in_progress` ->
 * `finalizing` -> `completed`, or `cancelling` -> `cancelled`, with its output and error
 * files; then runs `onCompleted` once it is terminal. Idempotent: call it whenever something
 * may have made the batch done (a job's terminal event, the end of submission, a retry after
 * a crash); only one caller wins each transition.
 */
export async function finishBatch(context: BatchContext, batchId: string): Promise<void> {
  let batch = await context.load(batchId);
  if (!batch) return;
  const counted = Number(batch.completed ?? 0) + Number(batch.failed ?? 0);
  const allCounted = batch.submitted_until !== undefined && counted >= Number(batch.total);

  if (allCounted && batch.status === 'in_progress') {
    await context.transition(batchId, ['in_progress'], 'finalizing', { finalizing_at: Date.now() });
    batch = await context.load(batchId);
    if (!batch) return;
  }
  if (allCounted && (batch.status === 'finalizing' || batch.status === 'cancelling')) {
    // One pass over the results, to give the output and error files their size.
    const files = { output: { lines: 0, bytes: 0 }, errors: { lines: 0, bytes: 0 } };
    for await (const page of readResultPages(context, batch)) {
      for (const kind of ['output', 'errors'] as const) {
        files[kind].lines += page[kind].length;
        for (const line of page[kind]) files[kind].bytes += Buffer.byteLength(line) + 1;
      }
    }
    const ending = batch.status === 'finalizing' ? 'completed' : 'cancelled';
    await context.transition(batchId, [batch.status as 'finalizing' | 'cancelling'], ending, {
      [`${ending}_at`]: Date.now(),
      output_file_id: files.output.lines > 0 ? resultFileId(batchId, 'output') : '',
      error_file_id: files.errors.lines > 0 ? resultFileId(batchId, 'errors') : '',
      output_bytes: files.output.bytes,
      error_bytes: files.errors.bytes,
    });
    batch = await context.load(batchId);
    if (!batch) return;
  }
  if (!TERMINAL_BATCH_STATUSES.has(batch.status!)) return;

  if (batch.retained === undefined) {
    // From now on the batch, its input file and its bookkeeping live for the retention period.
    const pages = Math.ceil(Number(batch.total) / RESULT_PAGE_LINES);
    const expiry = context.redis.multi();
    for (let page = 0; page < pages; page++)
      expiry.pexpire(context.keys.batchRefused(batchId, page), context.retentionMs);
    await expiry
      .pexpire(context.keys.batch(batchId), context.retentionMs)
      .pexpire(context.keys.batchCounted(batchId), context.retentionMs)
      .hset(context.keys.batch(batchId), 'retained', '1')
      .exec();
    await context.files.keep(batch.input_file_id!, context.retentionMs);
  }
  if (batch.notified === undefined && context.onCompleted)
    await notify(context, batchId, context.onCompleted);
}

/** How long one caller may take over `onCompleted` before another may run it again. */
const NOTIFY_LEASE_MS = 30_000;
const NOTIFY_POLL_MS = 100;

/**
 * Runs `onCompleted` once in the usual case (many jobs of a batch may end at the same moment),
 * and at least once if its caller dies: the caller holding the lease runs it; the others wait
 * until it is done, or until the lease lapses and one of them takes over.
 */
async function notify(
  context: BatchContext,
  batchId: string,
  onCompleted: NonNullable<BatchContext['onCompleted']>,
): Promise<void> {
  const lease = context.keys.batchNotifying(batchId);
  for (;;) {
    if (await context.redis.set(lease, '1', 'PX', NOTIFY_LEASE_MS, 'NX')) {
      try {
        const batch = await context.load(batchId);
        if (batch && batch.notified === undefined) {
          await onCompleted(toBatch(batch), batch.tenant!);
          await context.redis.hset(context.keys.batch(batchId), 'notified', '1');
        }
      } finally {
        await context.redis.del(lease);
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, NOTIFY_POLL_MS));
    const batch = await context.load(batchId);
    if (batch?.notified !== undefined || !batch) return;
  }
}
