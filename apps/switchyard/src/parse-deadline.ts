import { parseDuration } from '@switchyard/config';

/** A deadline is an RFC 3339 time or a duration from now (`90s`, `6h`); returns epoch ms. */
export function parseDeadline(text: string, now = Date.now()): number | undefined {
  const duration = parseDuration(text);
  if (duration !== undefined) return now + duration;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}
