import { BATCH_STATUSES } from '@switchyard/batches';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../api-error.ts';
import { requestedDeadline } from '../parse-deadline.ts';
import { ErrorResponse } from '../schemas/error.ts';

/** Inline requests travel in the JSON body: up to this many bytes (files take up to 200 MB). */
const INLINE_BATCH_BODY_LIMIT = 64 * 1024 * 1024;
const MAX_INLINE_REQUESTS = 50_000;

const CreateBatchBody = z
  .strictObject({
    input_file_id: z.string().min(1).max(200).optional(),
    requests: z.array(z.unknown()).min(1).max(MAX_INLINE_REQUESTS).optional(),
    endpoint: z.literal('/v1/chat/completions'),
    completion_window: z.literal('24h'),
    metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
    route: z.string().min(1).max(256).optional(),
    deadline: z.string().max(64).optional(),
    callback_url: z.string().max(2_048).optional(),
  })
  .superRefine((body, context) => {
    if ((body.input_file_id === undefined) === (body.requests === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['input_file_id'],
        message: 'set exactly one of input_file_id or requests',
      });
    }
  })
  .meta({ id: 'CreateBatch' });

const seconds = z.number().nullable();
const BatchObject = z
  .object({
    id: z.string(),
    object: z.literal('batch'),
    endpoint: z.string(),
    errors: z.unknown().nullable(),
    input_file_id: z.string(),
    completion_window: z.string(),
    status: z.enum(BATCH_STATUSES),
    output_file_id: z.string().nullable(),
    error_file_id: z.string().nullable(),
    created_at: z.number(),
    in_progress_at: seconds,
    expires_at: seconds,
    finalizing_at: seconds,
    completed_at: seconds,
    failed_at: seconds,
    expired_at: seconds,
    cancelling_at: seconds,
    cancelled_at: seconds,
    request_counts: z.object({ total: z.number(), completed: z.number(), failed: z.number() }),
    metadata: z.record(z.string(), z.string()).nullable(),
    route: z.string().nullable(),
    deadline: seconds,
    callback_url: z.string().nullable(),
  })
  .meta({ id: 'Batch' });
const BatchList = z.object({
  object: z.literal('list'),
  data: z.array(BatchObject),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});
const BatchParams = z.strictObject({ id: z.string().min(1).max(200) });
const ListQuery = z.strictObject({
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const batchRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const { batches } = services;
  app.post(
    '/v1/batches',
    {
      bodyLimit: INLINE_BATCH_BODY_LIMIT,
      schema: {
        summary: 'Create a batch (OpenAI Batch API), from an uploaded file or inline requests',
        body: CreateBatchBody,
        response: { 200: BatchObject, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      const { deadline: deadlineText, callback_url, ...body } = request.body;
      const deadline = requestedDeadline(deadlineText, services.config.results.retentionMs);
      if (callback_url !== undefined) await services.checkCallbackUrl(callback_url);
      return batches.create(request.tenant, { ...body, deadline, callback_url });
    },
  );

  app.get(
    '/v1/batches',
    {
      schema: {
        summary: 'List batches, newest first',
        querystring: ListQuery,
        response: { 200: BatchList },
      },
    },
    async (request) => batches.list(request.tenant, request.query),
  );

  app.get(
    '/v1/batches/:id',
    {
      schema: {
        summary: 'Get a batch',
        params: BatchParams,
        response: { 200: BatchObject, 404: ErrorResponse },
      },
    },
    async (request) => {
      const batch = await batches.get(request.tenant, request.params.id);
      if (!batch) throw notFound('batch', request.params.id);
      return batch;
    },
  );

  app.post(
    '/v1/batches/:id/cancel',
    {
      schema: {
        summary: 'Cancel a batch',
        params: BatchParams,
        response: { 200: BatchObject, 404: ErrorResponse },
      },
    },
    async (request) => {
      const batch = await batches.cancel(request.tenant, request.params.id);
      if (!batch) throw notFound('batch', request.params.id);
      return batch;
    },
  );
};
