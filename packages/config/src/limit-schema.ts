import { isTimeZone } from '@switchyard/spec';
import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** A duration string (`500ms`, `10s`, `1m`, `1h`, `1d`) parsed into milliseconds. */
export const durationMs = z.string().transform((text, context) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    context.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 10s, 1m, 1h or 1d' });
    return z.NEVER;
  }
  return ms;
});

/** A limit window: any duration, or `day` / `month` (a calendar day or month, UTC unless a time zone is given). */
const limitWindow = z.string().transform((text, context): number | 'day' | 'month' => {
  const word = text.trim();
  if (word === 'month' || word === 'day') return word;
  const ms = parseDuration(text);
  if (ms === undefined) {
    context.addIssue({
      code: 'custom',
      message: 'expected a duration such as 1s, 1m, 1h, 1d, or the word day or month',
    });
    return z.NEVER;
  }
  return ms;
});

export const positiveInt = z.number().int().positive();

/**
 * `{ requests: 15, per: 1m }` or `{ tokens: 1000000, per: 1m }`, normalised to
 * `{ unit, max, window }` where `window` is milliseconds (a sliding window), `day` or `month`.
 * A calendar window resets at midnight of `timeZone` (an IANA name; default UTC): `{ requests:
 * 1500, per: day, timeZone: America/Los_Angeles }`. A duration with `resetsAt` (an ISO 8601
 * instant) is a fixed window instead: it resets at that instant and every `per` before and
 * after it (`{ requests: 100, per: 1h, resetsAt: '2026-01-01T00:00:00Z' }`: on the hour).
 */
export const LimitSchema = z
  .strictObject({
    requests: positiveInt.optional(),
    tokens: positiveInt.optional(),
    per: limitWindow,
    timeZone: z.string().optional(),
    resetsAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((limit, context) => {
    if ((limit.requests === undefined) === (limit.tokens === undefined)) {
      context.addIssue({ code: 'custom', message: 'a limit sets exactly one of requests or tokens' });
    }
    const calendar = limit.per === 'day' || limit.per === 'month';
    if (limit.timeZone !== undefined && !calendar) {
      context.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: 'a time zone goes with per: day or month',
      });
    } else if (limit.timeZone !== undefined && !isTimeZone(limit.timeZone)) {
      context.addIssue({
        code: 'custom',
        path: ['timeZone'],
        message: 'expected an IANA time zone such as UTC or America/Los_Angeles',
      });
    }
    if (limit.resetsAt !== undefined && calendar) {
      context.addIssue({
        code: 'custom',
        path: ['resetsAt'],
        message: 'resetsAt goes with a duration, not day or month',
      });
    }
  })
  .transform((limit) => ({
    unit: limit.requests === undefined ? ('tokens' as const) : ('requests' as const),
    max: (limit.requests ?? limit.tokens) as number,
    window: limit.per,
    ...(limit.per === 'day' || limit.timeZone !== undefined ? { timeZone: limit.timeZone ?? 'UTC' } : {}),
    ...(limit.resetsAt !== undefined ? { resetsAt: Date.parse(limit.resetsAt) } : {}),
  }));
