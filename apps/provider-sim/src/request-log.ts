/** Why the simulator answered the way it did, one per request. */
export type RequestOutcome =
  | 'ok'
  | 'stream'
  | 'rate_limited'
  | 'concurrency_limited'
  | 'daily_cap_spent'
  | 'unauthorized'
  | 'not_found'
  | 'bad_request'
  | 'context_length_exceeded'
  | 'down'
  | 'outage'
  | 'injected_rate_limited'
  | 'injected_server_error'
  | 'injected_unavailable'
  | 'injected_timeout'
  | 'injected_malformed'
  | 'injected_truncated'
  | 'injected_network_reset';

export interface RequestLogEntry {
  /** Arrival time, ms since the epoch (from the simulator's clock). */
  at: number;
  model: string | null;
  /** HTTP status sent; 0 when none was (timeout, reset). */
  status: number;
  outcome: RequestOutcome;
  inputTokens: number;
  outputTokens: number;
  /** Latency drawn for this answer (0 when answered at once). */
  latencyMs: number;
  /** The request's `x-switchyard-job-id` header, if any. */
  jobId: string | null;
}

/** A bounded log: keeps the last `capacity` entries, so memory stays flat over days. */
export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];
  private next = 0;
  readonly capacity: number;

  constructor(capacity = 10_000) {
    this.capacity = capacity;
  }

  push(entry: RequestLogEntry): void {
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first; at most the last `limit` entries. */
  toArray(limit = this.capacity): RequestLogEntry[] {
    const ordered =
      this.entries.length < this.capacity
        ? this.entries.slice()
        : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return limit >= ordered.length ? ordered : ordered.slice(ordered.length - limit);
  }

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }
}
