/** What `until` waits for, and for how long. */
export interface UntilOptions {
  /** What is awaited, as the timeout error should name it: "job 42 to succeed". */
  message: string;
  /** Default 15 s: longer than any single step of the product under test should take. */
  timeoutMs?: number;
  /** Default 25 ms between checks. */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns something other than `undefined` or `false`, and resolves
 * with that value. An error thrown by `check` ends the wait at once (a job that failed is not
 * worth waiting for); after `timeoutMs` it throws an error naming what it waited for.
 * Tests poll with a deadline instead of sleeping for a fixed time.
 */
export async function until<T>(
  check: () => T | Promise<T>,
  { message, timeoutMs = 15_000, intervalMs = 25 }: UntilOptions,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
