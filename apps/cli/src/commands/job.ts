import type { Attempt, Job } from '../api-types.ts';
import { type Command, type Io, positiveInteger, UsageError } from '../command.ts';

const TERMINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

export const jobCommand: Command = {
  name: 'job',
  summary: 'show a job; with --follow, wait for it and print each change',
  help: `Usage: switchyard job <id> [--follow] [--wait <s>]

Prints the job: status, route, deadline, result or error, and every attempt.
  --follow      long-poll (GET /v1/jobs/<id>?wait=30) until the job is terminal, printing
                each status change and attempt as it appears; exit 1 if it did not succeed
  --wait <s>    seconds per long poll with --follow (default 30, at most 60)
`,
  options: { follow: { type: 'boolean' }, wait: { type: 'string' } },
  async run({ client, values, positionals, io }) {
    const [id, ...extra] = positionals;
    if (id === undefined) throw new UsageError('job needs a job id');
    if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
    const waitS = positiveInteger(values, 'wait') ?? 30;
    if (waitS > 60) throw new UsageError('--wait is at most 60 seconds');
    let job = await client.getJob(id);
    printJob(job, io);
    if (values.follow !== true) return 0;
    if (TERMINAL.has(job.status)) return job.status === 'succeeded' ? 0 : 1;

    let seen = job.attempts.length;
    let status = job.status;
    while (!TERMINAL.has(job.status)) {
      job = await client.getJob(id, waitS);
      for (const attempt of job.attempts.slice(seen))
        io.stdout.write(`${timestamp()} attempt ${formatAttempt(attempt)}\n`);
      seen = job.attempts.length;
      if (job.status !== status) {
        status = job.status;
        io.stdout.write(`${timestamp()} status ${status}\n`);
      }
    }
    printOutcome(job, io);
    return job.status === 'succeeded' ? 0 : 1;
  },
};

const timestamp = () => new Date().toISOString().slice(11, 19);

function formatAttempt(attempt: Attempt): string {
  const error = attempt.error ? ` ${attempt.error.code}: ${attempt.error.message}` : '';
  return `${attempt.provider}/${attempt.model} ${attempt.outcome} ${attempt.latency_ms} ms${error}`;
}

function printJob(job: Job, io: Io): void {
  const fields: [string, string | undefined][] = [
    ['id', job.id],
    ['status', job.status],
    ['route', job.route],
    ['priority', job.priority],
    ['sensitivity', job.sensitivity],
    ['deadline', job.deadline],
    ['batch', job.batch_id && `${job.batch_id} (${job.custom_id ?? ''})`],
    ['created', job.created_at],
    ['completed', job.completed_at],
  ];
  for (const [name, value] of fields) if (value) io.stdout.write(`${`${name}:`.padEnd(13)}${value}\n`);
  io.stdout.write(`attempts:    ${job.attempts.length === 0 ? 'none yet' : ''}\n`);
  for (const attempt of job.attempts) io.stdout.write(`  ${formatAttempt(attempt)}\n`);
  if (TERMINAL.has(job.status)) printOutcome(job, io);
}

function printOutcome(job: Job, io: Io): void {
  if (job.result) {
    const { provider, model, usage, cost_usd, latency_ms, finish_reason, content } = job.result;
    io.stdout.write(
      `result:      ${provider}/${model}, ${usage.input_tokens}+${usage.output_tokens} tokens, ` +
        `$${cost_usd.toFixed(6)}, ${latency_ms} ms, ${finish_reason}\n${content}\n`,
    );
  }
  if (job.error) io.stdout.write(`error:       ${job.error.code}: ${job.error.message}\n`);
}
