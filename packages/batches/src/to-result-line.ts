import type { Job, JobError, JobResult } from '@switchyard/broker';

const seconds = (iso: string | undefined) => Math.floor((iso ? Date.parse(iso) : Date.now()) / 1000);

/** Our finish reasons in OpenAI's vocabulary (`other` has no OpenAI counterpart). */
const FINISH_REASON: Record<JobResult['finish_reason'], string> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_calls',
  other: 'stop',
};

/** An OpenAI `chat.completion` object from a succeeded job. */
function toChatCompletion(job: Job, result: JobResult) {
  return {
    id: `chatcmpl-${job.id}`,
    object: 'chat.completion',
    created: seconds(job.completed_at),
    model: result.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: result.content },
        finish_reason: FINISH_REASON[result.finish_reason] ?? 'stop',
      },
    ],
    usage: {
      prompt_tokens: result.usage.input_tokens,
      completion_tokens: result.usage.output_tokens,
      total_tokens: result.usage.input_tokens + result.usage.output_tokens,
    },
  };
}

/** A line of a batch's output file. */
export function toOutputLine(requestId: string, customId: string, job: Job, result: JobResult): string {
  return JSON.stringify({
    id: requestId,
    custom_id: customId,
    response: { status_code: 200, request_id: job.id, body: toChatCompletion(job, result) },
    error: null,
  });
}

/** A line of a batch's error file. */
export function toErrorLine(requestId: string, customId: string | null, error: JobError): string {
  return JSON.stringify({
    id: requestId,
    custom_id: customId,
    response: null,
    error: { code: error.code, message: error.message },
  });
}
