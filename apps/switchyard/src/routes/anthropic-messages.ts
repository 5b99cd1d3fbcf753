import { servedBy } from '@switchyard/batches';
import type { Broker, Job } from '@switchyard/broker';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isSwitchyardError, toAnthropicError } from '../anthropic/anthropic-error.ts';
import { toJobInput } from '../anthropic/convert-request.ts';
import { messageIdOf, resultOf, toAnthropicMessage } from '../anthropic/convert-result.ts';
import { createMessageEvents, formatEvent } from '../anthropic/message-events.ts';
import { ApiError } from '../api-error.ts';
import { requestedDeadline } from '../parse-deadline.ts';
import {
  AnthropicErrorResponse,
  AnthropicMessage,
  findUnsupported,
  MessagesBody,
} from '../schemas/anthropic-messages.ts';

/** How long past the job's deadline the HTTP answer still waits for it. */
const WAIT_GRACE_MS = 30_000;

/**
 * `stream: true`: relays the job as Anthropic's server-sent events, as the worker running it
 * publishes them. Headers go out with the first piece of the answer, so a job that fails
 * before any (after falling back like any failed attempt) answers with a plain JSON error; a
 * failure after it is an `error` event, which the SDK raises.
 */
async function relayAsEvents(broker: Broker, job: Job, reply: FastifyReply) {
  const events = createMessageEvents({ id: messageIdOf(job), model: job.route });
  let finished = false;
  let headersSent = false;
  const send = (list: ReturnType<typeof events.start>) => {
    if (list.length === 0) return;
    if (!headersSent) {
      headersSent = true;
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-switchyard-job-id': job.id,
      });
    }
    reply.raw.write(list.map(formatEvent).join(''));
  };
  cancelOnDisconnect(broker, job.id, reply, () => finished);

  try {
    for await (const event of broker.readStream(job.id, job.deadline + WAIT_GRACE_MS)) {
      if (event.type === 'delta') send(events.text(event.text));
      else if (event.type === 'tool_call_delta') send(events.toolCall(event));
      else {
        finished = true;
        // Nothing sent yet: a failure is a plain JSON error (thrown here, answered by the handler).
        const result = resultOf(event.job, job.id);
        send(events.finish(result, servedBy(job, result)));
      }
    }
  } catch (error) {
    if (!headersSent) throw error;
    // Mid-stream, the status is sent: the failure is an `error` event. Only a job's own
    // failure says what happened; anything else is logged and says nothing of its cause.
    if (!(error instanceof ApiError)) reply.log.error({ err: error, job: job.id }, 'stream relay failed');
    const failure = error instanceof ApiError ? error : new ApiError(500, 'internal_error', 'Internal error');
    reply.raw.write(
      formatEvent({ event: 'error', data: { ...toAnthropicError(failure.statusCode, failure) } }),
    );
  }
  reply.raw.end();
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
 * Anthropic's Messages API (`POST /v1/messages`): the same routes, queues, quotas, fallback,
 * deadlines and privacy as every job (interactive priority), so Claude-style clients reach any
 * provider. Every error on this route, the authentication's included, is in Anthropic's shape.
 */
export const anthropicMessagesRoutes: FastifyPluginAsyncZod = async (app) => {
  const { services } = app;
  const { broker } = services;

  // Errors are made in Switchyard's shape everywhere (handler, authentication, validation);
  // this plugin's replies turn them into Anthropic's before they are serialized.
  app.addHook('preSerialization', async (_request, reply, payload) =>
    isSwitchyardError(payload) ? toAnthropicError(reply.statusCode, payload.error) : payload,
  );

  app.post(
    '/v1/messages',
    {
      schema: {
        summary: "Anthropic's Messages API, run as an interactive job",
        body: MessagesBody,
        response: {
          200: AnthropicMessage,
          400: AnthropicErrorResponse,
          404: AnthropicErrorResponse,
          422: AnthropicErrorResponse,
        },
      },
      preValidation: async (request) => {
        const unsupported = findUnsupported(request.body);
        if (unsupported) {
          throw new ApiError(400, unsupported.code, unsupported.message, { field: unsupported.field });
        }
      },
    },
    async (request, reply) => {
      const body = request.body;
      const deadline = requestedDeadline(body.deadline, services.config.results.retentionMs);
      const job = await broker.submit({
        ...toJobInput(body),
        tenant: request.tenant,
        route: body.model,
        sensitivity: body.sensitivity,
        priority: 'interactive',
        deadline,
        stream: body.stream === true,
        sync: true,
      });
      reply.header('x-switchyard-job-id', job.id);
      // The label is logged, the data never.
      if (job.personal_data)
        request.log.info({ job: job.id, personal_data: job.personal_data }, 'personal data');
      if (body.stream) return relayAsEvents(broker, job, reply);

      let answered = false;
      cancelOnDisconnect(broker, job.id, reply, () => answered);
      const done = await broker.waitFor(job.id, Math.max(0, job.deadline - Date.now()) + WAIT_GRACE_MS);
      answered = true;
      return toAnthropicMessage(job, resultOf(done, job.id));
    },
  );
};
