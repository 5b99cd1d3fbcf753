import type { Job } from './job.ts';

/**
 * Epoch ms at which the job arrived on its current target. The attempts made on this target
 * are the job's last `tries`, so the one before them ended the previous target; on the first
 * target the job arrived when it was created.
 */
export function arrivedAtTarget(job: Job): number {
  const before = job.attempts[job.attempts.length - job.tries - 1];
  return Date.parse(before && job.target > 0 ? before.finished_at : job.created_at);
}
