import { createHash } from 'node:crypto';
import { toJobInput } from '@switchyard/batches';
import { TERMINAL_STATUSES } from '@switchyard/broker';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, notFound } from '../api-error.ts';
import { requestedDeadline } from '../parse-deadline.ts';
import { ErrorResponse } from '../schemas/error.ts';
import { GetJobQuery, JobIdParams, JobView, SubmitJobBody, SubmitJobQuery } from '../schemas/job.ts';
import { toJobView } from '../to-job-view.ts';

const IdempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(255).optional(),
});

export const jobRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const { broker, webhooks } = services;

  async function view(id: string, tenant: string) {
    const job = await broker.get(id);
    if (!job || job.tenant !== tenant) throw notFound('job', id);
    return toJobView(job, job.callback_url && webhooks ? await webhooks.deliveries(id) : undefined);
  }

  app.post(
    '/v1/jobs',
    {
      schema: {
        summary: 'Submit a job',
        description:
          'Answers 202 once the job is durably enqueued; with ?wait=N, 200 with the finished job if it ends within N seconds. Idempotency-Key: same key and body, same job.',
        body: SubmitJobBody,
        querystring: SubmitJobQuery,
        headers: IdempotencyHeaders,
        response: {
          200: JobView,
          202: JobView,
          400: ErrorResponse,
          409: ErrorResponse,
          422: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const tenant = request.tenant;
      const wait = request.query.wait ?? 0;
      const deadline = requestedDeadline(body.deadline, services.config.results.retentionMs);
      if (body.callback_url !== undefined) await services.checkCallbackUrl(body.callback_url);

      const idempotencyKey = request.headers['idempotency-key'];
      const idempotency =
        idempotencyKey === undefined
          ? undefined
          : {
              key: idempotencyKey,
              fingerprint: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
            };

      const input = toJobInput({
        ...body,
        messages: [
          ...(body.system !== undefined ? [{ role: 'system' as const, content: body.system }] : []),
          ...(body.messages ?? [{ role: 'user' as const, content: body.prompt! }]),
        ],
      });
      const job = await broker.submit(
        {
          tenant,
          route: (body.route ?? body.model)!,
          ...input,
          sensitivity: body.sensitivity,
          priority: body.priority,
          deadline,
          callbackUrl: body.callback_url,
          metadata: body.metadata,
          // A client that waits on the connection: the fast path may run the job at once.
          ...(wait > 0 ? { sync: true } : {}),
        },
        { idempotency },
      );
      // The label is logged, the data never.
      if (job.personal_data)
        request.log.info({ job: job.id, personal_data: job.personal_data }, 'personal data');
      reply.header('location', `/v1/jobs/${job.id}`);
      if (wait > 0) {
        const done = await broker.waitFor(job.id, wait * 1_000);
        if (done && TERMINAL_STATUSES.has(done.status)) return reply.code(200).send(toJobView(done));
      }
      return reply.code(202).send(toJobView(job));
    },
  );

  app.get(
    '/v1/jobs/:id',
    {
      schema: {
        summary: 'Get a job; with ?wait=N, wait up to N seconds for it to finish',
        params: JobIdParams,
        querystring: GetJobQuery,
        response: { 200: JobView, 404: ErrorResponse },
      },
    },
    async (request) => {
      const { id } = request.params;
      const current = await view(id, request.tenant);
      const wait = request.query.wait ?? 0;
      if (wait > 0 && !TERMINAL_STATUSES.has(current.status)) {
        await broker.waitFor(id, wait * 1_000);
        return view(id, request.tenant);
      }
      return current;
    },
  );

  app.delete(
    '/v1/jobs/:id',
    {
      schema: {
        summary: 'Cancel a queued or running job',
        params: JobIdParams,
        response: { 200: JobView, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => {
      const { id } = request.params;
      const before = await view(id, request.tenant);
      if (TERMINAL_STATUSES.has(before.status) && before.status !== 'cancelled') {
        throw new ApiError(409, 'job_finished', `Job ${id} already ${before.status}`);
      }
      await broker.cancel(id);
      return view(id, request.tenant);
    },
  );
};
