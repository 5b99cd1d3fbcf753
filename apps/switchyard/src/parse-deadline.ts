import { formatDuration, parseDuration } from '@switchyard/config';
import { ApiError } from './api-error.ts';

/** A deadline is an RFC 3339 time or a duration from now (`90s`, `6h`); returns epoch ms. */
function parseDeadline(text: string, now = Date.now()): number | undefined {
  const duration = parseDuration(text);
  if (duration !== undefined) return now + duration;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * The deadline a request asks for, or undefined when it asks for none. A deadline must be in
 * the future and at most `maxAheadMs` away (the results' retention: a job must not outlive
 * its own record); anything else is a 400 naming the field.
 */
export function requestedDeadline(
  text: string | undefined,
  maxAheadMs: number,
  now = Date.now(),
): number | undefined {
  if (text === undefined) return undefined;
  const deadline = parseDeadline(text, now);
  if (deadline === undefined || deadline <= now || deadline - now > maxAheadMs) {
    throw new ApiError(
      400,
      'invalid_request',
      `deadline must be a future RFC 3339 time or a duration like 90s, at most ${formatDuration(maxAheadMs)} ahead`,
      { field: 'deadline' },
    );
  }
  return deadline;
}
