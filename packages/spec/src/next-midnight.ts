const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The first midnight after `now` on the wall clock of `timeZone` (an IANA name such as
 * `America/Los_Angeles`), in epoch milliseconds. Gemini's daily quotas reset at midnight
 * Pacific time, OpenRouter's and Cerebras' at midnight UTC. Daylight-saving changes happen at
 * 02:00 or later in every zone we use, so the offset at `now` is also the offset at midnight;
 * it is read again at the result in case a zone changes at midnight itself.
 */
export function nextMidnight(timeZone: string, now: number): number {
  const wallClock = wallClockAt(timeZone, now);
  const date = new Date(wallClock);
  return instantOfWallClock(
    timeZone,
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1),
  );
}

/** A calendar period that resets on the wall clock of a time zone. */
export type CalendarPeriod = 'day' | 'month';

/**
 * The starts (epoch ms) of four consecutive calendar periods of `timeZone`: the one before the
 * period containing `now`, that period, and the two after it. Each start is midnight on the
 * zone's wall clock, found from the zone's offset at that very instant, so a day is 23 or 25
 * hours long across a daylight-saving change, as the zone's clocks say.
 */
export function calendarPeriodStarts(
  timeZone: string,
  period: CalendarPeriod,
  now: number,
): [number, number, number, number] {
  const date = new Date(wallClockAt(timeZone, now));
  const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  const startOf = (offset: number) =>
    instantOfWallClock(
      timeZone,
      period === 'day' ? Date.UTC(year, month, day + offset) : Date.UTC(year, month + offset, 1),
    );
  return [startOf(-1), startOf(0), startOf(1), startOf(2)];
}

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant at which the wall clock of `timeZone` shows `wallClock` (a wall-clock time
 * written as if it were UTC): the offset is guessed at the wall-clock time, then read again at
 * the guess, which is exact unless the time falls in a gap the clocks skip.
 */
function instantOfWallClock(timeZone: string, wallClock: number): number {
  const guess = wallClock - (wallClockAt(timeZone, wallClock) - wallClock);
  return wallClock - (wallClockAt(timeZone, guess) - guess);
}

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock time of `timeZone` at `instant`, expressed as if that wall clock were UTC. */
function wallClockAt(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(instant)) parts[part.type] = Number(part.value);
  const whole = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return whole + (instant - Math.floor(instant / 1_000) * 1_000);
}
