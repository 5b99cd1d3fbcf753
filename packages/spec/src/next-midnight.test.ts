import { describe, expect, it } from 'vitest';
import { nextMidnight } from './next-midnight.ts';

describe('nextMidnight', () => {
  it.each([
    // Winter (PST, UTC-8): 2026-12-02 09:40 UTC is 01:40 in Los Angeles; midnight is 08:00 UTC next day.
    ['2026-12-02T09:40:00.000Z', 'America/Los_Angeles', '2026-12-03T08:00:00.000Z'],
    // Summer (PDT, UTC-7), late evening in Los Angeles: midnight is 07:00 UTC the same UTC day.
    ['2026-07-15T06:59:59.500Z', 'America/Los_Angeles', '2026-07-15T07:00:00.000Z'],
    // The day daylight saving starts (2026-03-08 02:00 PST): that day's midnight was PST, the next one PDT.
    ['2026-03-08T12:00:00.000Z', 'America/Los_Angeles', '2026-03-09T07:00:00.000Z'],
    // Exactly at midnight: the next one, a day later.
    ['2026-12-03T08:00:00.000Z', 'America/Los_Angeles', '2026-12-04T08:00:00.000Z'],
    ['2026-12-02T23:59:59.999Z', 'UTC', '2026-12-03T00:00:00.000Z'],
  ])('after %s in %s is %s', (now, timeZone, expected) => {
    expect(new Date(nextMidnight(timeZone, Date.parse(now))).toISOString()).toBe(expected);
  });
});
