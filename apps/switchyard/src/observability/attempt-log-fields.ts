import type { AttemptEvent } from '@switchyard/broker';

/** Provider error messages are already redacted and summarised by the adapters; keep lines short. */
const ERROR_MESSAGE_LIMIT = 500;

/**
 * The fields of the `attempt` log line. Built from an allow-list, never by spreading the job:
 * the job holds the prompt (`request.messages`) and metadata, which never go to the log.
 */
export function attemptLogFields({ job, attempt, next, usage, costUsd }: AttemptEvent) {
  const { error } = attempt;
  return {
    job_id: job.id,
    tenant: job.tenant,
    route: job.route,
    priority: job.priority,
    ...(job.batch_id ? { batch_id: job.batch_id } : {}),
    provider: attempt.provider,
    model: attempt.model,
    outcome: attempt.outcome,
    next,
    ...(error ? { error_code: error.code, error_message: error.message.slice(0, ERROR_MESSAGE_LIMIT) } : {}),
    // What made the job leave this target: the provider's outcome, or the code of a skip
    // (deadline_unreachable, quota_never_fits, quota_wait_exceeds_deadline,
    // quota_sooner_elsewhere).
    ...(next === 'move' ? { fallback_reason: error?.code ?? attempt.outcome } : {}),
    latency_ms: attempt.latency_ms,
    ...(usage ? { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens } : {}),
    ...(costUsd !== undefined ? { cost_usd: Number(costUsd.toFixed(8)) } : {}),
  };
}
