import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '@switchyard/config';
import { textOf } from '@switchyard/spec';
import { BrokerError } from './broker-error.ts';
import { capabilitiesNeeded } from './capabilities-needed.ts';
import type { RedisConnection } from './create-redis.ts';
import { detectPersonalData } from './detect-personal-data.ts';
import { type Dispatcher, PROMOTE_AHEAD_MS } from './dispatcher.ts';
import type { EstimateStart } from './estimate-start.ts';
import { estimateInputTokens } from './estimate-tokens.ts';
import type { FastPath } from './fast-path.ts';
import {
  type Attempt,
  type Job,
  type JobInput,
  type JobRequest,
  type PlanTarget,
  SENSITIVITIES,
} from './job.ts';
import type { JobStore } from './job-store/create-job-store.ts';
import type { Keys } from './keys.ts';
import type { LatencyStats } from './latency-stats.ts';
import { backedOffLast, type PlanChecks, planRoute } from './plan-route.ts';
import type { Spread } from './spread.ts';
import type { TenantLimitsStore } from './tenant-limits/index.ts';
import { tracer } from './tracing.ts';

/** How long an idempotency key keeps answering with its job. */
const IDEMPOTENCY_TTL_S = 86_400;

export interface SubmitOptions {
  /**
   * The client's `Idempotency-Key`: the same key with the same request (`fingerprint`, any
   * stable digest of it) answers with the first job; with another request it is refused
   * (`idempotency_key_reused`). Keys are per tenant.
   */
  idempotency?: { key: string; fingerprint: string };
}

export type Submit = (request: JobRequest, options?: SubmitOptions) => Promise<Job>;

/** The part of a request that is sent to the provider, without the fields left unset. */
function jobInputOf(request: JobRequest): JobInput {
  const {
    tenant: _tenant,
    route: _route,
    sensitivity: _sensitivity,
    priority: _priority,
    deadline: _deadline,
    callbackUrl: _callbackUrl,
    metadata: _metadata,
    id: _id,
    stream: _stream,
    sync: _sync,
    batchId: _batchId,
    customId: _customId,
    ...input
  } = request;
  const defined = Object.entries(input).filter(([, value]) => value !== undefined);
  return Object.fromEntries(defined) as unknown as JobInput;
}

function newJobId(): string {
  return `job_${randomBytes(15).toString('base64url')}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Plans and enqueues jobs: the route plan, the start estimates, the record, the queue entry. */
export function createSubmit(deps: {
  config: Config;
  redis: RedisConnection;
  keys: Keys;
  store: JobStore;
  checks: PlanChecks;
  estimateStart: EstimateStart;
  latency: LatencyStats;
  dispatcher: Dispatcher;
  tenantLimits: TenantLimitsStore;
  spread: Spread;
  /** The synchronous fast path (off on a Redis Cluster). */
  fastPath?: FastPath;
}): Submit {
  const { config, store, dispatcher } = deps;

  /** The job id an idempotency key stands for: a fresh one the first time. */
  async function idOf(tenant: string, idempotency: NonNullable<SubmitOptions['idempotency']>) {
    const key = deps.keys.idempotency(tenant, sha256(idempotency.key));
    const candidate = newJobId();
    const stored = await deps.redis.set(
      key,
      `${idempotency.fingerprint} ${candidate}`,
      'EX',
      IDEMPOTENCY_TTL_S,
      'NX',
      'GET',
    );
    if (stored === null) return candidate;
    const [fingerprint, id] = stored.split(' ');
    if (fingerprint !== idempotency.fingerprint)
      throw new BrokerError('idempotency_key_reused', 'This Idempotency-Key was used with another body');
    return id!;
  }

  /**
   * Skips targets that cannot start the job before its deadline, or, for a synchronous call,
   * within its patience (`patienceMs`); the last one never. A job that waits on a target is
   * promoted near its latest start there (`PROMOTE_AHEAD_MS`) and then waits only behind the
   * jobs promoted before it (`urgentWaitOf`): a target it can start on that way is kept.
   */
  async function chooseStart(
    targets: PlanTarget[],
    waitOf: (target: PlanTarget) => Promise<number>,
    urgentWaitOf: (target: PlanTarget) => Promise<number>,
    now: number,
    deadline: number,
    patienceMs: number,
  ) {
    const skipped: Attempt[] = [];
    let start = 0;
    for (; start < targets.length - 1; start++) {
      const target = targets[start]!;
      const [wait, latencyMs] = await Promise.all([waitOf(target), deps.latency.expectedMs(target.provider)]);
      const impatient = wait > patienceMs;
      const latestStart = deadline - latencyMs - config.scheduling.deadlineMarginMs;
      if (!impatient && now + wait <= latestStart) break;
      // A synchronous call's timer is its patience: it is never promoted.
      if (patienceMs === Number.POSITIVE_INFINITY && latestStart >= now) {
        const urgentWait = await urgentWaitOf(target);
        if (urgentWait <= Math.min(PROMOTE_AHEAD_MS, latestStart - now)) break;
      }
      const at = new Date(now).toISOString();
      skipped.push({
        ...target,
        outcome: 'skipped',
        error: {
          code: 'deadline_unreachable',
          message: impatient
            ? `expected to start in ${wait} ms, longer than a synchronous call waits (${patienceMs} ms)`
            : `expected to start in ${wait} ms and take ${latencyMs} ms, after the deadline`,
        },
        started_at: at,
        finished_at: at,
        latency_ms: 0,
      });
    }
    return { start, skipped };
  }

  return async (request, options = {}) => {
    if (request.messages.length === 0)
      throw new BrokerError('invalid_request', 'A job needs at least one message');
    const now = Date.now();
    const priority = request.priority ?? 'interactive';
    const personalData = config.privacy.detectPersonalData
      ? detectPersonalData(request.messages.map((message) => textOf(message.content)))
      : [];
    const requested = request.sensitivity ?? 'public';
    // Personal data raises the sensitivity before routing; it never lowers it.
    const sensitivity =
      personalData.length > 0 &&
      SENSITIVITIES.indexOf(config.privacy.raiseTo) > SENSITIVITIES.indexOf(requested)
        ? config.privacy.raiseTo
        : requested;
    const deadline = request.deadline ?? now + config.scheduling.deadlines[priority];
    // A client on the line who set no deadline of its own wants an answer soon, from any target.
    const syncWaitMs =
      request.sync && request.deadline === undefined ? config.scheduling.syncWaitMs : undefined;
    const inputTokens = estimateInputTokens(request.messages, request.tools);
    // Each target reserves input plus its own output limit (see outputLimitOf).
    const need = { inputTokens, maxTokens: request.maxTokens };
    const plan = planRoute(
      config,
      {
        route: request.route,
        tenant: request.tenant,
        inputTokens,
        maxTokens: request.maxTokens,
        sensitivity,
        needs: capabilitiesNeeded(request),
      },
      deps.checks,
    );

    let targets = plan.targets;
    const waits = new Map<PlanTarget, Promise<number>>();
    const waitOf = (target: PlanTarget) => {
      let wait = waits.get(target);
      if (wait === undefined) {
        wait = deps.estimateStart(target, need, priority, request.tenant);
        waits.set(target, wait);
      }
      return wait;
    };
    if (plan.strategy === 'least-wait' && targets.length > 1) {
      const measured = await Promise.all(
        targets.map(async (target) => ({ target, wait: await waitOf(target) })),
      );
      targets = backedOffLast(
        measured.sort((a, b) => a.wait - b.wait).map((entry) => entry.target),
        deps.checks,
      );
    }
    // Within a cost tier, the target that can start the job soonest goes first.
    targets = backedOffLast(await deps.spread.order(request.route, targets, waitOf), deps.checks);
    const { start, skipped } = await chooseStart(
      targets,
      waitOf,
      (target) => deps.estimateStart(target, need, 'urgent'),
      now,
      deadline,
      syncWaitMs ?? Number.POSITIVE_INFINITY,
    );

    const idempotent = options.idempotency !== undefined;
    const job: Job = {
      id: options.idempotency ? await idOf(request.tenant, options.idempotency) : (request.id ?? newJobId()),
      tenant: request.tenant,
      status: 'queued',
      route: request.route,
      priority,
      sensitivity,
      plan: targets,
      target: start,
      tries: 0,
      deadline,
      request: jobInputOf(request),
      callback_url: request.callbackUrl,
      metadata: request.metadata,
      batch_id: request.batchId,
      custom_id: request.customId,
      ...(request.stream ? { stream: true } : {}),
      ...(syncWaitMs !== undefined ? { sync_wait_ms: syncWaitMs } : {}),
      ...(personalData.length > 0 ? { personal_data: personalData } : {}),
      attempts: skipped,
      created_at: new Date(now).toISOString(),
    };
    tracer
      .startSpan('switchyard.submit', {
        attributes: {
          'switchyard.job.id': job.id,
          'switchyard.job.route': job.route,
          'switchyard.job.priority': priority,
          'switchyard.job.sensitivity': sensitivity,
          'switchyard.plan.targets': targets.length,
          'switchyard.plan.start': `${targets[start]?.provider}/${targets[start]?.model}`,
        },
      })
      .end();
    // Counted before the record exists (queue_full / storage_exhausted refuse it here); a
    // job submitted before under this id is already counted, and admitting it adds nothing.
    const admitting = deps.tenantLimits.admitJob({
      id: job.id,
      tenant: job.tenant,
      deadline,
      payloadBytes: Buffer.byteLength(JSON.stringify(job.request)),
    });
    // A client waits on the connection: when its first target admits the job now, this process
    // makes the call itself (the record written with the quota, in one step; `fast-path.ts`).
    // The admission goes first on the same connection and the fast path's script checks it,
    // so both take one round trip.
    const fast =
      request.sync && request.id === undefined && !idempotent && deps.fastPath
        ? deps.fastPath.start(job, start)
        : undefined;
    const [admitted, started] = await Promise.allSettled([admitting, fast]);
    if (admitted.status === 'rejected') throw admitted.reason;
    const admission = admitted.value;
    if (started.status === 'rejected') {
      await deps.tenantLimits.undoAdmission(job.tenant, job.id, admission);
      throw started.reason;
    }
    if (started.value === true) return { ...job, status: 'running', tries: 1 };
    if (request.id === undefined && !idempotent) {
      // A fresh random id cannot exist yet: write the record and enqueue in one round trip.
      // The record is sent first on the same connection, so a worker always finds it. On a
      // Redis Cluster the record and the queue live on different masters (connections): the
      // record must be written before the entry is queued, or a worker could miss it.
      if (deps.redis.isCluster) {
        await store.create(job);
        await dispatcher.enqueue(job, start);
      } else {
        await Promise.all([store.create(job), dispatcher.enqueue(job, start)]);
      }
      return job;
    }
    if (!(await store.create(job))) {
      // The record exists (maybe terminal already): take back whatever this call counted.
      await deps.tenantLimits.undoAdmission(job.tenant, job.id, admission);
      // Submitted before under this id: the same job, not a second one. If the first submit
      // died before enqueueing, enqueue it now (BullMQ ids are deterministic: never twice).
      const existing = (await store.get(job.id))!;
      if (existing.tenant !== request.tenant)
        throw new BrokerError('idempotency_key_reused', 'This job id belongs elsewhere');
      if (existing.status === 'queued') await dispatcher.enqueue(existing, existing.target);
      return existing;
    }
    await dispatcher.enqueue(job, start);
    return job;
  };
}
