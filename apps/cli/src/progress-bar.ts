import { formatClock } from './format.ts';

export interface Progress {
  done: number;
  total: number;
  /** Requests finished per second, measured since the first observation. */
  rate: number;
  status: string;
}

/** One line: `[#######·······]  45/120  37%  3.2/s  ETA 0:23  in_progress`. */
export function formatProgress(progress: Progress, barWidth = 30): string {
  const { done, total, rate, status } = progress;
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
  return `${bar} ${counts} ${Math.floor(fraction * 100)}%  ${rate.toFixed(1)}/s  ${eta}  ${status}`;
}

interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows progress on a stream: on a TTY a bar redrawn in place, otherwise one line every
 * `intervalMs` (and whenever the status changes).
 */
export class ProgressReporter {
  readonly #stream: ProgressStream;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #first: { at: number; done: number } | undefined;
  #lastPrinted = Number.NEGATIVE_INFINITY;
  #lastStatus = '';
  #drawn = false;

  constructor(stream: ProgressStream, options: { intervalMs?: number; now?: () => number } = {}) {
    this.#stream = stream;
    this.#intervalMs = options.intervalMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  update(done: number, total: number, status: string): void {
    const now = this.#now();
    this.#first ??= { at: now, done };
    const seconds = (now - this.#first.at) / 1000;
    const rate = seconds > 0 ? (done - this.#first.done) / seconds : 0;
    const progress = { done, total, rate, status };
    if (this.#stream.isTTY) {
      const width = Math.max(10, Math.min(40, (this.#stream.columns ?? 80) - 50));
      this.#stream.write(`\r\x1b[2K${formatProgress(progress, width)}`);
      this.#drawn = true;
    } else if (now - this.#lastPrinted >= this.#intervalMs || status !== this.#lastStatus) {
      this.#stream.write(`${formatProgress(progress, 20)}\n`);
      this.#lastPrinted = now;
    }
    this.#lastStatus = status;
  }

  /** Ends the bar's line, so what follows starts on a fresh one. */
  finish(): void {
    if (this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }
}
