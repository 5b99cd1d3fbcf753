const SECONDS = /^\d+$/;
/** IMF-fixdate, RFC 850 and asctime dates all open with the day's name. */
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i;

/**
 * Milliseconds a `Retry-After` header asks to wait: delay-seconds or an HTTP date. Undefined
 * when absent or unreadable; 0 for a date already past.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (SECONDS.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
