import { servedBy } from '@switchyard/batches';
import { httpStatusOf, type Job, type JobResult, TERMINAL_STATUSES } from '@switchyard/broker';
import type { ToolCall } from '@switchyard/spec';
import { ApiError } from '../api-error.ts';
import type { AnthropicMessage } from '../schemas/anthropic-messages.ts';

type StopReason = AnthropicMessage['stop_reason'];
type ResponseBlock = AnthropicMessage['content'][number];

/**
 * Anthropic's stop reason for a finish reason. The contract does not say which stop sequence
 * ended an answer, so a stop sequence reads as `end_turn` (and `stop_sequence` is null).
 */
export function stopReasonOf(result: Pick<JobResult, 'finish_reason' | 'tool_calls'>): StopReason {
  if (result.finish_reason === 'tool_calls' || (result.tool_calls?.length ?? 0) > 0) return 'tool_use';
  if (result.finish_reason === 'length') return 'max_tokens';
  if (result.finish_reason === 'content_filter') return 'refusal';
  return 'end_turn';
}

/** A tool call's arguments as a `tool_use` input, which Anthropic's clients read as an object. */
function inputOf(call: ToolCall): Record<string, unknown> {
  let input: unknown;
  try {
    input = JSON.parse(call.arguments || '{}');
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ApiError(502, 'bad_response', `The model's arguments for ${call.name} are not a JSON object`);
  }
  return input as Record<string, unknown>;
}

/** The answer's content blocks: its text (when there is any), then a `tool_use` per call. */
export function contentBlocksOf(result: Pick<JobResult, 'content' | 'tool_calls'>): ResponseBlock[] {
  const blocks: ResponseBlock[] = result.content ? [{ type: 'text', text: result.content }] : [];
  for (const call of result.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: inputOf(call) });
  }
  return blocks;
}

/** The message id a job answers with. */
export const messageIdOf = (job: Pick<Job, 'id'>) => `msg_${job.id}`;

/** A finished job's result as Anthropic's `message`; `model` is what the request named. */
export function toAnthropicMessage(job: Job, result: JobResult): AnthropicMessage {
  return {
    id: messageIdOf(job),
    type: 'message',
    role: 'assistant',
    content: contentBlocksOf(result),
    model: job.route,
    stop_reason: stopReasonOf(result),
    stop_sequence: null,
    usage: { input_tokens: result.usage.input_tokens, output_tokens: result.usage.output_tokens },
    switchyard: servedBy(job, result),
  };
}

/** The result of a finished job, or the ApiError its failure (or lateness) answers with. */
export function resultOf(done: Job | undefined, id: string): JobResult {
  if (!done || !TERMINAL_STATUSES.has(done.status)) {
    throw new ApiError(
      504,
      'deadline_exceeded',
      `Job ${id} did not finish by its deadline; poll /v1/jobs/${id}`,
    );
  }
  if (done.status !== 'succeeded' || !done.result) {
    const code = done.error?.code ?? 'failed';
    throw new ApiError(httpStatusOf(code), code, done.error?.message ?? 'The job failed', {
      job_id: done.id,
      attempts: done.attempts.length,
    });
  }
  return done.result;
}
