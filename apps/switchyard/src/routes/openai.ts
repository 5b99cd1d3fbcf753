import {
  openAIFinishReason,
  servedBy,
  toChatCompletion,
  toJobInput,
  unsupportedParameter,
} from '@switchyard/batches';
import { type Broker, httpStatusOf, type Job, TERMINAL_STATUSES } from '@switchyard/broker';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../api-error.ts';
import { requestedDeadline } from '../parse-deadline.ts';
import {
  CHAT_COMPLETION_FIELDS,
  ChatCompletion,
  ChatCompletionBody,
  ModelList,
} from '../schemas/chat-completion.ts';
import { ErrorResponse } from '../schemas/error.ts';

/** How long past the job's deadline the HTTP answer still waits for it. */
const WAIT_GRACE_MS = 30_000;

/** The result of a finished job, or the ApiError its failure (or lateness) answers with. */
function resultOf(done: Job | undefined, id: string): NonNullable<Job['result']> {
  if (!done || !TERMINAL_STATUSES.has(done.status)) {
    throw new ApiError(
      504,
      'deadline_exceeded',
      `Job ${id} did not finish by its deadline; poll /v1/jobs/${id}`,
    );
  }
  if (done.status !== 'succeeded' || !done.result) {
    const code = done.error?.code ?? 'failed';
    throw new ApiError(httpStatusOf(code), code, done.error?.message ?? 'The job failed', {
      job_id: done.id,
      attempts: done.attempts,
    });
  }
  return done.result;
}

const usageOf = (result: NonNullable<Job['result']>) => ({
  prompt_tokens: result.usage.input_tokens,
  completion_tokens: result.usage.output_tokens,
  total_tokens: result.usage.input_tokens + result.usage.output_tokens,
});

/**
 * `stream: true`: relays the job's text as OpenAI `chat.completion.chunk` server-sent events,
 * as the worker running it publishes it. Headers go out with the first delta, so a job that
 * fails before any text still answers with a plain JSON error — and a provider stream that
 * breaks before its first token has fallen back like any failed attempt.
 */
async function relayAsEvents(broker: Broker, job: Job, reply: FastifyReply, includeUsage: boolean) {
  const id = `chatcmpl-${job.id}`;
  const created = Math.floor(Date.parse(job.created_at) / 1000);
  // The model the client named, as OpenAI clients expect; who served it is in `switchyard`.
  const model = job.route;
  let started = false;
  let finished = false;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  });
  const send = (data: unknown) =>
    reply.raw.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  const start = () => {
    if (started) return;
    started = true;
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-switchyard-job-id': job.id,
    });
    send(chunk({ role: 'assistant', content: '' }));
  };
  cancelOnDisconnect(broker, job.id, reply, () => finished);

  for await (const event of broker.readStream(job.id, job.deadline + WAIT_GRACE_MS)) {
    if (event.type === 'delta') {
      start();
      send(chunk({ content: event.text }));
      continue;
    }
    if (event.type === 'tool_call_delta') {
      start();
      const { index, id: callId, name, arguments: pieces } = event;
      // A call's first piece holds its id, type, name and (maybe empty) arguments, as OpenAI
      // sends it: the openai SDK's stream helper refuses a call without them.
      const call = callId
        ? { index, id: callId, type: 'function', function: { name: name ?? '', arguments: pieces ?? '' } }
        : { index, function: { ...(name ? { name } : {}), arguments: pieces ?? '' } };
      send(chunk({ tool_calls: [call] }));
      continue;
    }
    finished = true;
    if (!started || event.job?.status === 'succeeded') {
      // Nothing sent yet: a failure is a plain JSON error (thrown here).
      const result = resultOf(event.job, job.id);
      start();
      const served = { switchyard: servedBy(event.job!, result) };
      send({ ...chunk({}, openAIFinishReason(result.finish_reason)), ...served });
      if (includeUsage) send({ ...chunk({}), choices: [], usage: usageOf(result), ...served });
      send('[DONE]');
    } else {
      send({
        error: event.job?.error ?? { code: 'deadline_exceeded', message: 'The job did not finish in time' },
      });
    }
    reply.raw.end();
  }
  return reply;
}

/**
 * A client that goes away no longer wants the answer: cancel its job. (The response's `close`
 * before it finished is the disconnect; the request's fires once its body is read.)
 */
function cancelOnDisconnect(broker: Broker, jobId: string, reply: FastifyReply, answered: () => boolean) {
  reply.raw.once('close', () => {
    if (answered() || reply.raw.writableFinished) return;
    broker
      .cancel(jobId)
      .catch((error: unknown) => reply.log.warn({ err: error, job: jobId }, 'cancel failed'));
  });
}

/**
 * A field that would change the answer and is not supported is refused by name, before the
 * schema check: `unsupported_parameter` with `details.field`, not a generic invalid request.
 */
async function refuseUnsupported(request: FastifyRequest) {
  const unsupported = unsupportedParameter(request.body, CHAT_COMPLETION_FIELDS);
  if (unsupported)
    throw new ApiError(400, 'unsupported_parameter', unsupported.message, { field: unsupported.field });
}

/**
 * The `X-Switchyard-Deadline` header: the `deadline` field for clients (OpenAI SDKs) that
 * cannot add a body field. Same rules; the field wins when both are given.
 */
function headerDeadline(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The OpenAI-compatible synchronous API: the same queues, quotas, fallback, deadlines and
 * privacy as every job (interactive priority), answered when the job ends.
 */
export const openAIRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const { broker, config } = services;

  app.post(
    '/v1/chat/completions',
    {
      schema: {
        summary: 'OpenAI-compatible chat completion, run as an interactive job',
        description:
          'Tools, images, response formats and sampling fields are carried to the provider; a field that would change the answer and is not supported is refused as unsupported_parameter (see docs/api.md).',
        body: ChatCompletionBody,
        response: { 200: ChatCompletion, 400: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse },
      },
      preValidation: refuseUnsupported,
    },
    async (request, reply) => {
      const body = request.body;
      const deadline = requestedDeadline(
        body.deadline ?? headerDeadline(request.headers['x-switchyard-deadline']),
        services.config.results.retentionMs,
      );
      const job = await broker.submit({
        tenant: request.tenant,
        route: body.model,
        ...toJobInput(body),
        sensitivity: body.sensitivity,
        priority: 'interactive',
        deadline,
        metadata: body.metadata ?? undefined,
        stream: body.stream === true,
        // The client waits on this connection: without a deadline it waits `scheduling.syncWait` per target.
        sync: true,
      });
      reply.header('x-switchyard-job-id', job.id);
      // The label is logged, the data never.
      if (job.personal_data)
        request.log.info({ job: job.id, personal_data: job.personal_data }, 'personal data');
      if (body.stream) return relayAsEvents(broker, job, reply, body.stream_options?.include_usage === true);

      let answered = false;
      cancelOnDisconnect(broker, job.id, reply, () => answered);
      const done = await broker.waitFor(job.id, Math.max(0, job.deadline - Date.now()) + WAIT_GRACE_MS);
      answered = true;
      return toChatCompletion(done!, resultOf(done, job.id));
    },
  );

  app.get(
    '/v1/models',
    {
      schema: { summary: 'Routes and provider/model pairs, as OpenAI models', response: { 200: ModelList } },
    },
    async () => ({
      object: 'list' as const,
      data: [
        ...Object.keys(config.routes).map((id) => ({
          id,
          object: 'model' as const,
          created: 0,
          owned_by: 'switchyard',
        })),
        ...config.providers.flatMap((provider) =>
          provider.models.map((model) => ({
            id: `${provider.id}/${model.name}`,
            object: 'model' as const,
            created: 0,
            owned_by: provider.id,
          })),
        ),
      ],
    }),
  );
};
