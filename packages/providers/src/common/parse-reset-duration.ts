const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000_001,
};
const PART = /(\d+(?:\.\d+)?|\.\d+)(h|ms|m|s|us|µs|ns)/y;
const PLAIN_SECONDS = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Parses a duration as providers send it into whole milliseconds:
 * Go-style durations from OpenAI and Groq (`6m0s`, `1s`, `250ms`, `1h2m3.5s`, `7.66s`),
 * protobuf durations from Gemini's RetryInfo (`37s`, `58.217843437s`) and plain
 * seconds from Cerebras (`11.38`). Returns undefined for anything else.
 */
export function parseResetDuration(value: string): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (PLAIN_SECONDS.test(text)) return Math.round(Number(text) * 1_000);

  let total = 0;
  let index = 0;
  while (index < text.length) {
    PART.lastIndex = index;
    const match = PART.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2]!] ?? Number.NaN);
    index = PART.lastIndex;
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}
