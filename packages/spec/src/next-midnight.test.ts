import { describe, expect, it } from 'vitest';
import { calendarPeriodStarts, isTimeZone, nextMidnight } from './next-midnight.ts';

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

describe('calendarPeriodStarts', () => {
  const iso = (starts: number[]) => starts.map((start) => new Date(start).toISOString());

  it('finds the days of Los Angeles around the spring change (a 23-hour day)', () => {
    // 2026-03-08 09:00 UTC is 01:00 PST, an hour before the clocks skip to 03:00 PDT.
    expect(
      iso(calendarPeriodStarts('America/Los_Angeles', 'day', Date.parse('2026-03-08T09:00:00Z'))),
    ).toEqual([
      '2026-03-07T08:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
      '2026-03-09T07:00:00.000Z',
      '2026-03-10T07:00:00.000Z',
    ]);
  });

  it('finds the days of Los Angeles around the autumn change (a 25-hour day)', () => {
    const starts = calendarPeriodStarts('America/Los_Angeles', 'day', Date.parse('2026-11-01T09:30:00Z'));
    expect(iso(starts)).toEqual([
      '2026-10-31T07:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
      '2026-11-03T08:00:00.000Z',
    ]);
    expect(starts[2] - starts[1]).toBe(25 * 3_600_000);
  });

  it('starts a day at its midnight exactly, and the next one a millisecond before', () => {
    const midnight = Date.parse('2026-12-03T08:00:00Z');
    expect(calendarPeriodStarts('America/Los_Angeles', 'day', midnight)[1]).toBe(midnight);
    expect(calendarPeriodStarts('America/Los_Angeles', 'day', midnight - 1)[2]).toBe(midnight);
  });

  it('finds months in a zone and in UTC, over the turn of the year', () => {
    expect(iso(calendarPeriodStarts('UTC', 'month', Date.parse('2026-12-31T23:59:59.999Z')))).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
    ]);
    // 1 January 00:30 UTC is still 31 December in Los Angeles.
    expect(
      iso(calendarPeriodStarts('America/Los_Angeles', 'month', Date.parse('2027-01-01T00:30:00Z'))),
    ).toEqual([
      '2026-11-01T07:00:00.000Z',
      '2026-12-01T08:00:00.000Z',
      '2027-01-01T08:00:00.000Z',
      '2027-02-01T08:00:00.000Z',
    ]);
  });

  it('knows a zone from a name it does not have', () => {
    expect(isTimeZone('America/Los_Angeles')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
