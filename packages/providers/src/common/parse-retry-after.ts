import type { HeaderReader } from './post-json.ts';

const SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * How long the provider asked us to wait, in milliseconds. `retry-after-ms` (OpenAI,
 * Azure) wins when present; otherwise `retry-after` as delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3), measured from `now`. Undefined when neither header is usable.
 */
export function parseRetryAfter(headers: HeaderReader, now = Date.now()): number | undefined {
  const milliseconds = headers.get('retry-after-ms')?.trim();
  if (milliseconds && SECONDS.test(milliseconds)) return Math.round(Number(milliseconds));

  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (SECONDS.test(value)) return Math.round(Number(value) * 1_000);
  // Date.parse reads bare numbers such as "-5" as years: an HTTP date always has letters.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
