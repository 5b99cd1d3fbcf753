import { PROMOTE_AHEAD_MS } from '@switchyard/broker';
import type { ScaledLimit } from './free-tiers.ts';
import { FlowNetwork } from './max-flow.ts';

/**
 * The offline optimum of the free-tier scenario: the fewest jobs any schedule must send to the
 * paid provider, knowing every arrival in advance, given the free providers' limits.
 *
 * Model. A job may start on a free provider at any time in [arrival, latest start], where
 * latest start = deadline - the provider's latency; it is then done (jobs are unit: one
 * request each). A provider admits a call when every limit admits it, counted as the provider
 * counts (at the call's arrival, over a sliding window: at most `max` in any window). During
 * the failing provider's bad spell its k-th call fails when `fails(k)` says so (the scenario
 * passes the simulator's own seeded draws, so both face the same failures); a failed call still
 * uses its place in every window (the assumption: failures consume free capacity) and its job
 * may be tried again anywhere. Everything not started on a free provider by its latest start
 * goes to the paid provider.
 *
 * Exact optimisation is a hard scheduling problem (equal-length jobs on parallel machines with
 * release dates and deadlines, several machine kinds, daily caps), so the optimum is bracketed:
 *
 * - lower bound (`lowerBound`): a relaxation solved exactly as a maximum flow (source -> job ->
 *   the windows its start interval meets -> the provider's daily cap -> sink). Each sliding
 *   request limit is relaxed to fixed windows [kW, (k+1)W) holding at most `max` calls each
 *   (true of any schedule that respects the sliding limit, which holds for every window), and a
 *   window that straddles a longer limit's boundary is split in two, each part with the full
 *   `max` (more room, so still a relaxation). In the failing spell, c calls take c consecutive
 *   draws of the failure sequence: a window wholly inside the spell holds at most `max` minus
 *   the fewest failures any `max` consecutive draws contain, and all such windows together at
 *   most the successes of the best n * max consecutive draws starting in the first window;
 *   windows partly outside keep `max` (a schedule could place all its calls outside). Token
 *   limits are left out (more room again). The flow is the most jobs free providers could
 *   take, so N - flow is a lower bound on the paid ones.
 * - upper bound (`upperBound`): a real schedule, simulated event by event with the exact
 *   sliding windows (token limits included, at input + max_tokens) and the same failure draws.
 *   Uncapped providers take the waiting job with the earliest latest start whenever they have
 *   room (EDF); providers with a daily cap take a job only when it is within `capAhead` ms of
 *   its latest start, to keep the cap for jobs nothing else can serve. The best over a few
 *   values of `capAhead` is kept. Any schedule is feasible, so it bounds the optimum from above.
 *
 * When the two meet, the optimum is known exactly.
 */

export interface OptimumProvider {
  id: string;
  /** Request and token limits, wall-clock windows. */
  limits: ScaledLimit[];
  /** Keep this provider for jobs close to their latest start (it has a daily cap). */
  capped: boolean;
  /** During [fromMs, toMs) the k-th call fails when `fails(k)` (k counted from 1 in the spell). */
  failing?: { fromMs: number; toMs: number; fails: (call: number) => boolean };
}

export interface OptimumJob {
  arrivalMs: number;
  latestStartMs: number;
  /** Tokens a call reserves (input + max_tokens). */
  tokens: number;
  /** Switchyard's queue priority class: 0 interactive, 1 batch (for the `class` order). */
  rank?: number;
}

export interface Schedule {
  /** Jobs sent to the paid provider. */
  paid: number;
  /** Per job: the free provider that served it, or undefined (paid). */
  servedBy: (string | undefined)[];
  /** Calls per provider, failed ones included. */
  calls: Record<string, number>;
  failedCalls: number;
  /** Calls the failing provider received during its spell. */
  spellCalls: number;
  /** How the schedule used the capped providers. */
  policy: string;
}

export interface Optimum {
  lowerBound: number;
  upperBound: number;
  schedule: Schedule;
}

/** The lower bound on paid jobs: N - floor(maximum flow of the relaxation). */
function paidLowerBound(jobs: readonly OptimumJob[], providers: readonly OptimumProvider[]): number {
  const network = new FlowNetwork();
  const source = network.addNode();
  const sink = network.addNode();
  const horizon = Math.max(0, ...jobs.map((job) => job.latestStartMs)) + 1;
  const jobNodes = jobs.map((job) => {
    const node = network.addNode();
    if (job.latestStartMs >= job.arrivalMs) network.addEdge(source, node, 1);
    return node;
  });

  for (const provider of providers) {
    const requestLimits = provider.limits
      .filter((limit) => limit.unit === 'requests')
      .sort((a, b) => a.windowMs - b.windowMs);
    if (requestLimits.length === 0) {
      // No request limit: nothing bounds this provider in the relaxation.
      for (const node of jobNodes) network.addEdge(node, sink, 1);
      continue;
    }
    if (requestLimits.length > 2)
      throw new Error(`${provider.id}: the relaxation takes at most two request limits`);
    const [short, long] = requestLimits as [ScaledLimit, ScaledLimit | undefined];

    // Segments: a short window [kW, (k+1)W) cut at the long window's boundaries. Each flows into
    // its day's node (the long limit), or to the sink; a segment inside the failing spell flows
    // through the spell's node of its day first.
    const segments: { from: number; to: number; node: number }[] = [];
    const dayNodes = new Map<number, number>();
    const dayNode = (day: number) => {
      if (!long) return sink;
      let node = dayNodes.get(day);
      if (node === undefined) {
        node = network.addNode();
        dayNodes.set(day, node);
        network.addEdge(node, sink, long.max);
      }
      return node;
    };
    const failing = provider.failing;
    const spellSegments = new Map<number, number[]>();
    // The long windows start at multiples of their length, or where a fixed window resets.
    const offset = long ? (((long.resetsAtMs ?? 0) % long.windowMs) + long.windowMs) % long.windowMs : 0;
    for (let from = 0; from < horizon; from += short.windowMs) {
      const to = from + short.windowMs;
      const cuts = [from];
      if (long) {
        const first = offset + Math.ceil((from + 1 - offset) / long.windowMs) * long.windowMs;
        for (let boundary = first; boundary < to; ) {
          cuts.push(boundary);
          boundary += long.windowMs;
        }
      }
      cuts.push(to);
      for (let index = 0; index < cuts.length - 1; index++) {
        const segment = { from: cuts[index]!, to: cuts[index + 1]!, node: network.addNode() };
        const day = long ? Math.floor((segment.from - offset) / long.windowMs) : 0;
        if (failing !== undefined && segment.from >= failing.fromMs && segment.to <= failing.toMs) {
          spellSegments.set(day, [...(spellSegments.get(day) ?? []), segment.node]);
        } else {
          network.addEdge(segment.node, dayNode(day), short.max);
        }
        segments.push(segment);
      }
    }
    for (const [day, nodes] of spellSegments) {
      // Calls in these segments take draws K+1..K+c of the spell, where K <= max (calls in a
      // partial window at the spell's start): bound their successes over every such K.
      const fails = failing!.fails;
      const most = (nodes.length + 1) * short.max;
      const failedBefore = [0];
      for (let call = 1; call <= most + short.max; call++) {
        failedBefore.push(failedBefore[call - 1]! + (fails(call) ? 1 : 0));
      }
      const successes = (calls: number, offsets: number) => {
        let best = 0;
        for (let offset = 0; offset <= offsets; offset++) {
          best = Math.max(best, calls - (failedBefore[offset + calls]! - failedBefore[offset]!));
        }
        return best;
      };
      const spell = network.addNode();
      network.addEdge(spell, dayNode(day), successes(nodes.length * short.max, short.max));
      const perSegment = successes(short.max, most);
      for (const node of nodes) network.addEdge(node, spell, perSegment);
    }

    // Each job reaches every segment its start interval [arrival, latest start] meets.
    jobs.forEach((job, index) => {
      if (job.latestStartMs < job.arrivalMs) return;
      // Segments are in time order: the first one ending after the arrival, by bisection.
      let low = 0;
      let high = segments.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (segments[middle]!.to > job.arrivalMs) high = middle;
        else low = middle + 1;
      }
      for (let segment = low; segment < segments.length; segment++) {
        const found = segments[segment]!;
        if (found.from > job.latestStartMs) break;
        network.addEdge(jobNodes[index]!, found.node, 1);
      }
    });
  }

  const flow = network.maxFlow(source, sink);
  return jobs.length - flow;
}

/** A sliding window that counts as the simulator does: amounts in (now - windowMs, now]. */
class Window {
  private readonly times: number[] = [];
  private readonly amounts: number[] = [];
  private head = 0;
  private total = 0;

  constructor(readonly limit: ScaledLimit) {}

  private evict(now: number): void {
    const { resetsAtMs, windowMs } = this.limit;
    if (resetsAtMs !== undefined) {
      // A fixed window: everything counted before the current period's start has left.
      const start = Math.floor((now - resetsAtMs) / windowMs) * windowMs + resetsAtMs;
      while (this.head < this.times.length && this.times[this.head]! < start) {
        this.total -= this.amounts[this.head]!;
        this.head += 1;
      }
      return;
    }
    while (this.head < this.times.length && this.times[this.head]! <= now - this.limit.windowMs) {
      this.total -= this.amounts[this.head]!;
      this.head += 1;
    }
  }

  /** The earliest time >= now at which `amount` more fits; Infinity when it never can. */
  fitsAt(now: number, amount: number): number {
    if (amount > this.limit.max) return Number.POSITIVE_INFINITY;
    this.evict(now);
    const excess = this.total + amount - this.limit.max;
    if (excess <= 0) return now;
    const { resetsAtMs, windowMs } = this.limit;
    if (resetsAtMs !== undefined)
      return Math.floor((now - resetsAtMs) / windowMs + 1) * windowMs + resetsAtMs;
    let freed = 0;
    for (let index = this.head; index < this.times.length; index++) {
      freed += this.amounts[index]!;
      if (freed >= excess) return this.times[index]! + this.limit.windowMs;
    }
    return Number.POSITIVE_INFINITY;
  }

  /**
   * For a fixed window: whether less of it is spent than of its period has passed (a cap left
   * unspent at the reset is lost). False for a sliding window.
   */
  underPace(now: number): boolean {
    const { resetsAtMs, windowMs } = this.limit;
    if (resetsAtMs === undefined) return false;
    this.evict(now);
    const start = Math.floor((now - resetsAtMs) / windowMs) * windowMs + resetsAtMs;
    return this.total / this.limit.max < (now - start) / windowMs;
  }

  add(now: number, amount: number): void {
    this.evict(now);
    this.times.push(now);
    this.amounts.push(amount);
    this.total += amount;
  }
}

/** A binary min-heap of job indices by a key (then index). */
class IndexHeap {
  private readonly items: number[] = [];
  constructor(private readonly key: (index: number) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  private less(a: number, b: number): boolean {
    const keyA = this.key(a);
    const keyB = this.key(b);
    return keyA < keyB || (keyA === keyB && a < b);
  }

  push(index: number): void {
    const items = this.items;
    items.push(index);
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(items[at]!, items[parent]!)) break;
      [items[at], items[parent]] = [items[parent]!, items[at]!];
      at = parent;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let at = 0;
      for (;;) {
        const left = at * 2 + 1;
        const right = left + 1;
        let smallest = at;
        if (left < items.length && this.less(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && this.less(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === at) break;
        [items[at], items[smallest]] = [items[smallest]!, items[at]!];
        at = smallest;
      }
    }
    return top;
  }
}

export interface ScheduleOptions {
  /** Capped providers take a job only within this many ms of its latest start (Infinity: any time). */
  capAhead: number;
  /**
   * The order in which uncapped providers take waiting jobs: `deadline` (EDF, the default) or
   * `class` (Switchyard's queues: interactive before batch, first come first served within a class).
   * Capped providers always take the job closest to its latest start.
   */
  order?: 'deadline' | 'class';
  /**
   * With the `class` order: a job within this many ms of its latest start goes before every
   * other (Switchyard's promotion to the urgent priority), earliest latest start first.
   */
  promoteAhead?: number;
  /**
   * A capped provider whose fixed-window cap is spent slower than its period passes takes jobs
   * at any time, not only near their latest start (what it leaves unspent at the reset is lost).
   */
  pace?: boolean;
}

/**
 * Switchyard's own rules, executed without loss: its queue order (interactive first, then first
 * come first served, a job promoted ahead of both near its latest start), the capped tiers
 * reached only when a job leaves the first tier at its latest start, or while their fixed-window
 * caps are spent slower than their periods pass (a strict route's pacing, spread.ts). Run it on jobs whose latest
 * start keeps the scenario's margin (`SWITCHYARD_SAFETY_MS`).
 */
export const SWITCHYARD_POLICY: ScheduleOptions = {
  capAhead: 0,
  order: 'class',
  promoteAhead: PROMOTE_AHEAD_MS,
  pace: true,
};

/**
 * The scenario's `scheduling.deadlineMargin`, Switchyard's margin before a job's last feasible
 * start on a target: 250 ms. The default (1 s) is sized for real calls of a second or more;
 * compressed 360 times it would be 6 minutes of the modelled day against calls of 4 ms (p99
 * 20 ms). 250 ms is 90 modelled seconds, 12 times the calls' p99: room for what the margin is
 * for (a move to the next target and a worker's pick-up there) without the compression's
 * distortion.
 */
export const SWITCHYARD_SAFETY_MS = 250;

/**
 * The scenario's `scheduling`: its margin, and the backoff of a refusing provider compressed like
 * it (default 1 s doubling to 5 minutes; 5 minutes would be 30 modelled hours, longer than the
 * day: a tier that refused for an hour would stay avoided for the rest of it).
 */
export const SCENARIO_SCHEDULING = {
  deadlineMargin: `${SWITCHYARD_SAFETY_MS}ms`,
  refusalBackoff: { initial: '100ms', max: '1s' },
};

/** One feasible schedule (see the module comment). */
export function simulateSchedule(
  jobs: readonly OptimumJob[],
  providers: readonly OptimumProvider[],
  options: ScheduleOptions,
): Schedule {
  const { capAhead } = options;
  const state = providers.map((provider) => ({
    provider,
    windows: provider.limits.map((limit) => new Window(limit)),
    spellCalls: 0,
  }));
  const servedBy: (string | undefined)[] = new Array(jobs.length).fill(undefined);
  const calls: Record<string, number> = Object.fromEntries(providers.map((provider) => [provider.id, 0]));
  let failedCalls = 0;
  let paid = 0;
  const order = jobs.map((_, index) => index).sort((a, b) => jobs[a]!.arrivalMs - jobs[b]!.arrivalMs);
  const waiting = new Uint8Array(jobs.length);
  const byDeadline = new IndexHeap((index) => jobs[index]!.latestStartMs);
  const byClass =
    options.order === 'class'
      ? new IndexHeap((index) => (jobs[index]!.rank ?? 0) * 1e12 + jobs[index]!.arrivalMs)
      : byDeadline;
  let waitingCount = 0;
  /** The head of a heap among jobs still waiting (served or paid ones are dropped lazily). */
  const head = (heap: IndexHeap) => {
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      if (waiting[top]) return top;
      heap.pop();
    }
    return undefined;
  };
  const leave = (index: number) => {
    waiting[index] = 0;
    waitingCount -= 1;
  };
  let nextArrival = 0;
  let now = order.length > 0 ? jobs[order[0]!]!.arrivalMs : 0;

  const fitsAt = (entry: (typeof state)[number], job: OptimumJob) =>
    Math.max(
      now,
      ...entry.windows.map((window) => window.fitsAt(now, window.limit.unit === 'requests' ? 1 : job.tokens)),
    );
  /** The job a provider would take now, if it is allowed to take one. */
  const candidate = (entry: (typeof state)[number]) => {
    if (!entry.provider.capped) {
      const promoteAhead = options.promoteAhead;
      if (promoteAhead !== undefined && byClass !== byDeadline) {
        const top = head(byDeadline);
        if (top !== undefined && jobs[top]!.latestStartMs - now <= promoteAhead) return top;
      }
      return head(byClass);
    }
    const top = head(byDeadline);
    if (top === undefined) return undefined;
    if (options.pace && entry.windows.some((window) => window.underPace(now))) return top;
    return jobs[top]!.latestStartMs - now <= capAhead ? top : undefined;
  };

  while (nextArrival < order.length || waitingCount > 0) {
    while (nextArrival < order.length && jobs[order[nextArrival]!]!.arrivalMs <= now) {
      const index = order[nextArrival++]!;
      waiting[index] = 1;
      waitingCount += 1;
      byDeadline.push(index);
      if (byClass !== byDeadline) byClass.push(index);
    }
    for (
      let top = head(byDeadline);
      top !== undefined && jobs[top]!.latestStartMs < now;
      top = head(byDeadline)
    ) {
      leave(top);
      paid += 1;
    }
    // Dispatch until no provider can take a job now.
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const entry of state) {
        const chosen = candidate(entry);
        if (chosen === undefined) continue;
        const job = jobs[chosen]!;
        if (fitsAt(entry, job) > now) continue;
        for (const window of entry.windows)
          window.add(now, window.limit.unit === 'requests' ? 1 : job.tokens);
        calls[entry.provider.id]! += 1;
        progressed = true;
        const failing = entry.provider.failing;
        if (failing && now >= failing.fromMs && now < failing.toMs) {
          entry.spellCalls += 1;
          if (failing.fails(entry.spellCalls)) {
            failedCalls += 1;
            continue; // the job stays queued
          }
        }
        leave(chosen);
        servedBy[chosen] = entry.provider.id;
      }
    }
    // The next moment anything can change.
    let next = nextArrival < order.length ? jobs[order[nextArrival]!]!.arrivalMs : Number.POSITIVE_INFINITY;
    const urgent = head(byDeadline);
    if (urgent !== undefined) next = Math.min(next, jobs[urgent]!.latestStartMs + 1);
    for (const entry of state) {
      const chosen = candidate(entry);
      if (chosen !== undefined) next = Math.min(next, fitsAt(entry, jobs[chosen]!));
      else if (entry.provider.capped && urgent !== undefined) {
        next = Math.min(next, jobs[urgent]!.latestStartMs - capAhead);
      }
    }
    if (next === Number.POSITIVE_INFINITY) break;
    now = Math.max(now + 1, Math.ceil(next));
  }
  return {
    paid,
    servedBy,
    calls,
    failedCalls,
    spellCalls: state.reduce((sum, entry) => sum + entry.spellCalls, 0),
    policy: `${options.order === 'class' ? `interactive first, then first come first served${options.promoteAhead === undefined ? '' : `, promoted ${options.promoteAhead} ms before the latest start`}` : 'earliest deadline first'}; capped tiers ${capAhead === Number.POSITIVE_INFINITY ? 'whenever they have room' : `only within ${capAhead} ms of a job's latest start`}${options.pace ? ', or while a fixed-window cap is behind its pace' : ''}`,
  };
}

const CAP_AHEAD_MS = [Number.POSITIVE_INFINITY, 0, 100, 250, 500, 1_000, 2_000, 4_000, 8_000, 16_000];

/** Both bounds; the schedule is the best simulated one (its paid count is the upper bound). */
export function offlineOptimum(jobs: readonly OptimumJob[], providers: readonly OptimumProvider[]): Optimum {
  const lowerBound = paidLowerBound(jobs, providers);
  let best: Schedule | undefined;
  for (const capAhead of CAP_AHEAD_MS) {
    const schedule = simulateSchedule(jobs, providers, { capAhead });
    if (!best || schedule.paid < best.paid) best = schedule;
    if (best.paid <= lowerBound) break;
  }
  return { lowerBound, upperBound: best!.paid, schedule: best! };
}
