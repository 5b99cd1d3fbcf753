import type { Job } from '@switchyard/broker';
import type { z } from 'zod';
import type { JobView } from './schemas/job.ts';

/** What a client sees of a job: no plan internals, no tenant, no prompt echoed back. */
export function toJobView(job: Job, deliveries?: unknown[]): z.infer<typeof JobView> {
  return {
    id: job.id,
    object: 'job',
    status: job.status,
    route: job.route,
    priority: job.priority,
    sensitivity: job.sensitivity,
    deadline: new Date(job.deadline).toISOString(),
    ...(job.result ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
    attempts: job.attempts,
    ...(job.callback_url ? { callback_url: job.callback_url } : {}),
    ...(deliveries && deliveries.length > 0 ? { deliveries: deliveries as Record<string, unknown>[] } : {}),
    ...(job.batch_id ? { batch_id: job.batch_id, custom_id: job.custom_id } : {}),
    ...(job.personal_data ? { personal_data: job.personal_data } : {}),
    ...(job.metadata ? { metadata: job.metadata } : {}),
    created_at: job.created_at,
    ...(job.completed_at ? { completed_at: job.completed_at } : {}),
  };
}
