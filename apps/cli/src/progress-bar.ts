import { formatClock } from './format.ts';

export interface Progress {
  done: number;
  total: number;
  /** Requests finished per second, measured since the first observation. */
  rate: number;
  status: string;
  /** What the unfinished jobs wait for, if anything holds them up (see waitReason). */
  detail?: string;
}

/**
 * One line: `[#######·······]  45/120  37%  3.2/s  ETA 0:23  in_progress`, then the detail:
 * `· waiting for gemini-sim quota (resets in 40 s)`.
 */
export function formatProgress(progress: Progress, barWidth = 30): string {
  const { done, total, rate, status, detail } = progress;
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'·'.repeat(barWidth - filled)}]`;
  const eta =
    done >= total && total > 0
      ? 'ETA 0:00'
      : rate > 0
        ? `ETA ${formatClock((total - done) / rate)}`
        : 'ETA --:--';
  const counts = `${String(done).padStart(String(total).length)}/${total}`;
  const line = `${bar} ${counts} ${Math.floor(fraction * 100)}%  ${rate.toFixed(1)}/s  ${eta}  ${status}`;
  return detail ? `${line} · ${detail}` : line;
}

interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows progress on a stream: on a TTY a bar redrawn in place, otherwise one line every
 * `intervalMs` (and whenever the status, or what the jobs wait for, changes: a countdown in
 * the detail alone prints no new line).
 */
export class ProgressReporter {
  readonly #stream: ProgressStream;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #first: { at: number; done: number } | undefined;
  #lastPrinted = Number.NEGATIVE_INFINITY;
  #lastStatus = '';
  #lastWaitingFor = '';
  #drawn = false;

  constructor(stream: ProgressStream, options: { intervalMs?: number; now?: () => number } = {}) {
    this.#stream = stream;
    this.#intervalMs = options.intervalMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  update(done: number, total: number, status: string, detail?: string): void {
    const now = this.#now();
    this.#first ??= { at: now, done };
    const seconds = (now - this.#first.at) / 1000;
    const rate = seconds > 0 ? (done - this.#first.done) / seconds : 0;
    const progress = { done, total, rate, status, detail };
    // What the jobs wait for without the countdown: `gemini-sim quota`.
    const waitingFor = (detail ?? '').replace(/\s*\((resets|retried) in \d+ s\)/g, '');
    if (this.#stream.isTTY) {
      const width = Math.max(
        10,
        Math.min(40, (this.#stream.columns ?? 80) - 50 - (detail ? detail.length + 3 : 0)),
      );
      this.#stream.write(`\r\x1b[2K${formatProgress(progress, width)}`);
      this.#drawn = true;
    } else if (
      now - this.#lastPrinted >= this.#intervalMs ||
      status !== this.#lastStatus ||
      waitingFor !== this.#lastWaitingFor
    ) {
      this.#stream.write(`${formatProgress(progress, 20)}\n`);
      this.#lastPrinted = now;
    }
    this.#lastStatus = status;
    this.#lastWaitingFor = waitingFor;
  }

  /** Ends the bar's line, so what follows starts on a fresh one. */
  finish(): void {
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }
}
