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
  const nextDay = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
  const guess = nextDay - (wallClock - now);
  return nextDay - (wallClockAt(timeZone, guess) - guess);
}

/** The wall-clock time of `timeZone` at `instant`, expressed as if that wall clock were UTC. */
function wallClockAt(timeZone: string, instant: number): number {
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
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) parts[part.type] = Number(part.value);
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
