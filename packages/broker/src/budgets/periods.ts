/** UTC calendar periods, as the strings that name usage keys. */

/** `YYYY-MM-DD` of a time, UTC. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM` of a time, UTC. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** Whether `text` is a real `YYYY-MM-DD` date (not 2025-02-30). */
export function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && dayOf(ms) === text;
}

/** Every day from `from` to `to`, both included (`YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= end; ms += 86_400_000) days.push(dayOf(ms));
  return days;
}

/** The first day of the current UTC period (`day` or `month`) of a time. */
export function periodStart(per: 'day' | 'month', ms: number): string {
  return per === 'day' ? dayOf(ms) : `${monthOf(ms)}-01`;
}
