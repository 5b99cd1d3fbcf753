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

/** The answer as an OpenAI assistant message: `content` is null when it only calls tools. */
export function toAssistantMessage(result: JobResult) {
  const toolCalls = result.tool_calls ?? [];
  return {
    role: 'assistant' as const,
    content: toolCalls.length > 0 && result.content === '' ? null : result.content,
    refusal: null,
    ...(toolCalls.length > 0
      ? {
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        }
      : {}),
  };
}

/** Our finish reason in OpenAI's vocabulary. */
export const openAIFinishReason = (reason: JobResult['finish_reason']): string =>
  FINISH_REASON[reason] ?? 'stop';

/**
 * Which provider and model served a job: `model` is the route the client named, as OpenAI
 * clients expect their own model name back, and this Switchyard field says who answered.
 */
export const servedBy = (job: Job, result: JobResult) => ({
  provider: result.provider,
  model: result.model,
  job_id: job.id,
});

/** An OpenAI `chat.completion` object from a succeeded job. */
export function toChatCompletion(job: Job, result: JobResult) {
  return {
    id: `chatcmpl-${job.id}`,
    object: 'chat.completion' as const,
    created: seconds(job.completed_at),
    model: job.route,
    choices: [
      {
        index: 0,
        message: toAssistantMessage(result),
        finish_reason: openAIFinishReason(result.finish_reason),
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: result.usage.input_tokens,
      completion_tokens: result.usage.output_tokens,
      total_tokens: result.usage.input_tokens + result.usage.output_tokens,
    },
    switchyard: servedBy(job, result),
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
