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
};

/** Files and batches refusals. */
const BATCH_STATUS: Record<string, number> = { file_not_found: 404, not_found: 404, unknown_route: 404 };

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
