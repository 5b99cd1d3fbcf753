import { BatchError } from '@switchyard/batches';
import { BrokerError } from '@switchyard/broker';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError } from '../api-error.ts';

type AnyError = FastifyError | ApiError | BrokerError | SyntaxError;

/** Broker refusals and the HTTP status each one gets. */
const BROKER_STATUS: Record<string, number> = {
  invalid_request: 400,
  unknown_route: 404,
  unknown_model: 404,
  no_eligible_target: 422,
  idempotency_key_reused: 409,
  // The tenant's limits (docs/security.md).
  queue_full: 429,
  too_many_streams: 429,
  storage_exhausted: 413,
};

/** Files and batches refusals. */
const BATCH_STATUS: Record<string, number> = {
  file_not_found: 404,
  not_found: 404,
  unknown_route: 404,
  line_too_long: 413,
  storage_exhausted: 413,
};

/** Fastify's own errors: the status it set, and the stable code clients get. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  FST_ERR_NOT_FOUND: 'not_found',
};

/** Seconds a client is asked to wait before trying again when Redis cannot take the request. */
const REDIS_RETRY_AFTER_S = 5;

/**
 * Redis refusing or unreachable is not a bug of ours and not the client's fault: a coded 503
 * with Retry-After, so clients back off and retry. `storage_full`: Redis is at its `maxmemory`
 * with `noeviction` (an `OOM` reply; reads still work). `redis_unavailable`: a replica in read-only
 * mode (a failover in progress), or no connection (ioredis gave up on the command).
 */
export function redisRefusal(error: unknown): { code: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const message = error.message;
  if (/\bOOM command not allowed\b/.test(message))
    return { code: 'storage_full', message: 'The job store is full; try again later' };
  if (
    /^READONLY\b|\bREADONLY You can't write\b/.test(message) ||
    error.name === 'MaxRetriesPerRequestError' ||
    /^Connection is closed|^Stream isn't writeable|^Reached the max retries per request limit/.test(message)
  )
    return { code: 'redis_unavailable', message: 'The job store is unavailable; try again later' };
  return undefined;
}

/**
 * Every error becomes `{ error: { code, message, details? } }`. Client errors say what was
 * wrong and where; server errors say nothing of their internals (they are logged).
 */
export const errorHandler = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((caught: AnyError, request, reply) => {
      const error = caught as FastifyError;
      if (hasZodFastifySchemaValidationErrors(error)) {
        return reply.code(400).send({
          error: {
            code: 'invalid_request',
            message: `Invalid ${error.validationContext ?? 'request'}: ${error.validation
              .slice(0, 5)
              .map((issue) => `${fieldOf(issue.instancePath) || '(root)'}: ${issue.message}`)
              .join('; ')}`,
            details: error.validation.map((issue) => ({
              field: fieldOf(issue.instancePath),
              in: error.validationContext,
              message: issue.message,
            })),
          },
        });
      }
      if (caught instanceof ApiError) {
        return reply.code(caught.statusCode).send({
          error: {
            code: caught.code,
            message: caught.message,
            ...(caught.details ? { details: caught.details } : {}),
          },
        });
      }
      if (caught instanceof BrokerError) {
        return reply.code(BROKER_STATUS[caught.code] ?? 400).send({
          error: {
            code: caught.code,
            message: caught.message,
            ...(caught.details ? { details: caught.details } : {}),
          },
        });
      }
      if (BatchError.isInstance(caught)) {
        return reply.code(BATCH_STATUS[caught.code] ?? 400).send({
          error: {
            code: caught.code,
            message: caught.message,
            ...(caught.details ? { details: caught.details } : {}),
          },
        });
      }
      if (error.code === 'FST_REQ_FILE_TOO_LARGE') {
        return reply.code(413).send({ error: { code: 'file_too_large', message: error.message } });
      }
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return reply
          .code(400)
          .send({ error: { code: 'invalid_json', message: 'The body is not valid JSON' } });
      }
      const refusal = redisRefusal(caught);
      if (refusal) {
        request.log.warn({ code: refusal.code }, 'redis refused the request');
        return reply.code(503).header('retry-after', String(REDIS_RETRY_AFTER_S)).send({ error: refusal });
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return reply.code(status).send({
          error: { code: FASTIFY_CODES[error.code] ?? 'invalid_request', message: error.message },
        });
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: { code: 'internal_error', message: 'Internal error' } });
    });

    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({
        error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` },
      }),
    );
  },
  { name: 'error-handler' },
);

/** `/messages/0/content` -> `messages[0].content` */
function fieldOf(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
