import type { JobStatus } from '@switchyard/broker';
import { Redis } from 'ioredis';
import { REDIS_URL } from './bench-prefix.ts';

const TERMINAL = new Set<string>(['succeeded', 'failed', 'cancelled']);

export interface JobEvents {
  /** Terminal jobs so far, by status. */
  counts(): Partial<Record<JobStatus, number>>;
  /** Resolves once `total` jobs are terminal, or when `timeoutMs` passes (check `counts()`). */
  untilTerminal(total: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Counts jobs reaching a terminal status from the broker's `<id> <status>` event channel: one
 * subscription for thousands of jobs, lighter on the measured process than a `waitFor` per job.
 */
export async function watchJobEvents(channel: string, url = REDIS_URL): Promise<JobEvents> {
  const subscriber = new Redis(url);
  const counts: Partial<Record<JobStatus, number>> = {};
  let terminal = 0;
  let wake: (() => void) | undefined;
  subscriber.on('message', (_channel: string, message: string) => {
    const status = message.slice(message.indexOf(' ') + 1) as JobStatus;
    if (!TERMINAL.has(status)) return;
    counts[status] = (counts[status] ?? 0) + 1;
    terminal += 1;
    wake?.();
  });
  await subscriber.subscribe(channel);
  return {
    counts: () => ({ ...counts }),
    untilTerminal: (total, timeoutMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(finish, timeoutMs);
        function finish() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = () => {
          if (terminal >= total) finish();
        };
        wake();
      }),
    close: async () => {
      await subscriber.quit();
    },
  };
}
