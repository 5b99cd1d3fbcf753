import type { TenantLimitsStore } from '@switchyard/broker';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.ts';
import { redisRefusal } from './error-handler.ts';

/**
 * Counts every authenticated request against its tenant's `requestsPerSecond` (429
 * `rate_limited` with `Retry-After` when over). Runs after authentication, so unauthenticated
 * requests never reach a tenant's bucket.
 */
export function createRequestLimiter(limits: TenantLimitsStore) {
  return async function limitRequests(request: FastifyRequest, reply: FastifyReply) {
    if (!request.tenant) return;
    const taken = await limits.takeRequest(request.tenant).catch((error: unknown) => {
      // Redis full, read-only or unreachable refuses the bucket's write (reads may still work): let the
      // request through (a write it makes gets its own 503), rather than refuse every read.
      if (redisRefusal(error)) return { ok: true } as const;
      throw error;
    });
    if (taken.ok) return;
    // Retry-After is in whole seconds (at least 1); retry-after-ms is the exact wait.
    return reply
      .code(429)
      .header('retry-after', String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))))
      .header('retry-after-ms', String(taken.retryAfterMs))
      .send({
        error: {
          code: 'rate_limited',
          message: `Over the tenant's limit of ${limits.limitsOf(request.tenant).requestsPerSecond} requests per second`,
        },
      });
  };
}

/** A body that asks for a streaming response (`stream: true`). */
const asksToStream = (body: unknown) =>
  typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;

/**
 * Holds one of the tenant's `streams` for each streaming response, from before its job is
 * submitted until the connection closes (429 `too_many_streams` when none is free, and then
 * no job is submitted). A stream whose process dies stops counting when its lease ends.
 */
export function createStreamLimiter(limits: TenantLimitsStore) {
  return async function limitStreams(request: FastifyRequest, reply: FastifyReply) {
    if (!request.tenant || request.method !== 'POST' || !asksToStream(request.body)) return;
    const close = await limits
      .openStream(request.tenant)
      .catch((error: { code?: string; message: string }) => {
        throw error.code === 'too_many_streams' ? new ApiError(429, error.code, error.message) : error;
      });
    reply.raw.once('close', () => {
      close().catch((error: unknown) => request.log.warn({ err: error }, 'closing a stream slot failed'));
    });
  };
}
