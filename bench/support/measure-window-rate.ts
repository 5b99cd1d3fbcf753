import type { RequestLogEntry } from '@switchyard/provider-sim';

export interface WindowLimits {
  requests: number;
  tokens: number;
  windowMs: number;
}

export interface WindowRate {
  /** Requests the simulator admitted (status 200). */
  admitted: number;
  /** 429s in the log (the simulator's `rateLimited` counter is the authority; this is per run). */
  refused: number;
  /** Median tokens (input + output) of one admitted request. */
  tokensPerRequest: number;
  /** Requests one window holds at most, given that size: min(requests, floor(tokens / size)). */
  perWindow: number;
  /** Whole windows the steady interval spans. */
  windows: number;
  requestsPerSecond: number;
  tokensPerSecond: number;
  /** The most requests, and tokens, in any window of `windowMs` (must stay within the limits). */
  busiestRequests: number;
  busiestTokens: number;
  /** The longest time between two consecutive admitted calls: a stall shows here. */
  longestGapMs: number;
  /** When that pause began (ms since the epoch, the call before it). */
  longestGapFrom: number;
}

/**
 * The rate a client achieved against sliding-window limits, from the simulator's request log.
 *
 * Under a sliding window that admits `perWindow` requests, request n + perWindow can arrive no
 * sooner than `windowMs` after request n. So from the first request of the second window
 * (index i, skipping the start-up burst) to request j = i + m * perWindow (the last such index
 * in the log), a client that wastes nothing takes exactly m windows; any time lost shows as
 * a rate below the configured one, and bursts or uneven spacing do not distort it.
 */
export function measureWindowRate(log: readonly RequestLogEntry[], limits: WindowLimits): WindowRate {
  const entries = log.filter((entry) => entry.status === 200).sort((left, right) => left.at - right.at);
  const refused = log.filter((entry) => entry.status === 429).length;
  const tokensOf = (entry: RequestLogEntry) => entry.inputTokens + entry.outputTokens;
  const sizes = entries.map(tokensOf).sort((left, right) => left - right);
  const tokensPerRequest = sizes[Math.floor(sizes.length / 2)] ?? 0;
  const perWindow = Math.max(
    1,
    Math.min(limits.requests, Math.floor(limits.tokens / Math.max(1, tokensPerRequest))),
  );

  const first = entries[0]?.at ?? 0;
  const start = entries.findIndex((entry) => entry.at >= first + limits.windowMs);
  const windows = start < 0 ? 0 : Math.floor((entries.length - 1 - start) / perWindow);
  let requestsPerSecond = Number.NaN;
  let tokensPerSecond = Number.NaN;
  if (windows > 0) {
    const end = start + windows * perWindow;
    const seconds = (entries[end]!.at - entries[start]!.at) / 1000;
    let tokens = 0;
    for (let index = start; index < end; index++) tokens += tokensOf(entries[index]!);
    requestsPerSecond = (end - start) / seconds;
    tokensPerSecond = tokens / seconds;
  }

  let longestGapMs = 0;
  let longestGapFrom = first;
  for (let index = 1; index < entries.length; index++) {
    const gap = entries[index]!.at - entries[index - 1]!.at;
    if (gap > longestGapMs) {
      longestGapMs = gap;
      longestGapFrom = entries[index - 1]!.at;
    }
  }

  let busiestRequests = 0;
  let busiestTokens = 0;
  let tail = 0;
  let sum = 0;
  for (let head = 0; head < entries.length; head++) {
    sum += tokensOf(entries[head]!);
    // Window (at - windowMs, at]: an entry exactly windowMs older has left it.
    while (entries[head]!.at - entries[tail]!.at >= limits.windowMs) sum -= tokensOf(entries[tail++]!);
    busiestRequests = Math.max(busiestRequests, head - tail + 1);
    busiestTokens = Math.max(busiestTokens, sum);
  }

  return {
    admitted: entries.length,
    refused,
    tokensPerRequest,
    perWindow,
    windows,
    requestsPerSecond,
    tokensPerSecond,
    busiestRequests,
    busiestTokens,
    longestGapMs,
    longestGapFrom,
  };
}
