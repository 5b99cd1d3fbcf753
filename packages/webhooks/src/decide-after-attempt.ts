import { parseRetryAfter } from './parse-retry-after.ts';
import type { AttemptResult } from './post-webhook.ts';

export type AttemptDecision =
  | { action: 'delivered'; status: number }
  | { action: 'retry'; status?: number; error: string; retryAfterMs?: number }
  | { action: 'stop'; status?: number; error: string };

/**
 * The one place that decides what an attempt means: only 2xx is delivered; 410 Gone, a
 * non-public address and an unusable URL stop at once; anything else (3xx included: redirects
 * are not followed) is retried, after `Retry-After` when a 429 or 503 sends one.
 */
export function decideAfterAttempt(result: AttemptResult, now = Date.now()): AttemptDecision {
  switch (result.kind) {
    case 'refused':
    case 'invalid':
      return { action: 'stop', error: result.message };
    case 'timeout':
    case 'network':
      return { action: 'retry', error: result.message };
    case 'response': {
      const { status } = result;
      if (status >= 200 && status < 300) return { action: 'delivered', status };
      if (status === 410)
        return { action: 'stop', status, error: 'HTTP 410: the receiver asked for no more deliveries' };
      if (status >= 300 && status < 400) {
        return { action: 'retry', status, error: `HTTP ${status}: redirects are not followed` };
      }
      if (status === 429 || status === 503) {
        const retryAfterMs = parseRetryAfter(result.retryAfter, now);
        if (retryAfterMs !== undefined)
          return { action: 'retry', status, error: `HTTP ${status}`, retryAfterMs };
      }
      return { action: 'retry', status, error: `HTTP ${status}` };
    }
  }
}
