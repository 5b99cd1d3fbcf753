import { type Broker, httpStatusOf, type Job, SENSITIVITIES, TERMINAL_STATUSES } from '@switchyard/broker';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../api-error.ts';
import { requestedDeadline } from '../parse-deadline.ts';
import { ErrorResponse } from '../schemas/error.ts';
import { LIMITS } from '../schemas/job.ts';

/** How long past the job's deadline the HTTP answer still waits for it. */
const WAIT_GRACE_MS = 30_000;

const TextPart = z.object({ type: z.literal('text'), text: z.string().max(LIMITS.contentChars) });
const ChatMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string().max(LIMITS.contentChars), z.array(TextPart).min(1).max(100)]),
  name: z.string().max(256).optional(),
});

/**
 * OpenAI's chat completion request, as far as it maps onto a job. Unknown fields are ignored
 * (SDKs send many); fields that would change the answer and are not supported are refused.
 */
const ChatCompletionBody = z
  .object({
    model: z.string().min(1).max(256).meta({ description: 'A route name, or provider/model.' }),
    messages: z.array(ChatMessage).min(1).max(LIMITS.messages),
    max_tokens: z.number().int().min(1).max(LIMITS.maxTokens).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).max(LIMITS.maxTokens).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().gt(0).max(1).nullable().optional(),
    stop: z
      .union([z.string().min(1), z.array(z.string().min(1)).max(LIMITS.stopSequences)])
      .nullable()
      .optional(),
    n: z.literal(1).nullable().optional().meta({ description: 'Only 1.' }),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
    tools: z.array(z.unknown()).max(0, 'tools are not supported').optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    sensitivity: z.enum(SENSITIVITIES).optional().meta({ description: 'Switchyard extension.' }),
    deadline: z.string().max(64).optional().meta({ description: 'Switchyard extension: RFC 3339 or "90s".' }),
  })
  .meta({ id: 'ChatCompletionRequest' });

const ChatCompletion = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number(),
        message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
        finish_reason: z.string(),
        logprobs: z.null(),
      }),
    ),
    usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }),
  })
  .meta({ id: 'ChatCompletion' });

const ModelList = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
  ),
});

/** OpenAI's finish reasons: `content_filter` and `length` pass through, anything else is `stop`. */
function openAIFinishReason(reason: string): string {
  return reason === 'length' || reason === 'content_filter' || reason === 'tool_calls' ? reason : 'stop';
}

const textOf = (parts: { text: string }[]) => parts.map((part) => part.text).join('');

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
  let model = job.route;
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
      const call = {
        index,
        ...(callId ? { id: callId, type: 'function' } : {}),
        function: { ...(name ? { name } : {}), ...(pieces !== undefined ? { arguments: pieces } : {}) },
      };
      send(chunk({ tool_calls: [call] }));
      continue;
    }
    finished = true;
    if (!started || event.job?.status === 'succeeded') {
      // Nothing sent yet: a failure is a plain JSON error (thrown here).
      const result = resultOf(event.job, job.id);
      start();
      model = `${result.provider}/${result.model}`;
      send(chunk({}, openAIFinishReason(result.finish_reason)));
      if (includeUsage) send({ ...chunk({}), choices: [], usage: usageOf(result) });
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
        body: ChatCompletionBody,
        response: { 200: ChatCompletion, 400: ErrorResponse, 404: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const deadline = requestedDeadline(body.deadline, services.config.results.retentionMs);
      const job = await broker.submit({
        tenant: request.tenant,
        route: body.model,
        messages: body.messages.map((message) => ({
          role: message.role === 'developer' ? 'system' : message.role,
          content: typeof message.content === 'string' ? message.content : textOf(message.content),
        })),
        maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
        temperature: body.temperature ?? undefined,
        topP: body.top_p ?? undefined,
        stop: body.stop == null ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop,
        sensitivity: body.sensitivity,
        priority: 'interactive',
        deadline,
        metadata: body.metadata ?? undefined,
        stream: body.stream === true,
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
      const result = resultOf(done, job.id);
      return {
        id: `chatcmpl-${job.id}`,
        object: 'chat.completion' as const,
        created: Math.floor(Date.parse(job.created_at) / 1000),
        model: `${result.provider}/${result.model}`,
        choices: [
          {
            index: 0,
            message: { role: 'assistant' as const, content: result.content, refusal: null },
            finish_reason: openAIFinishReason(result.finish_reason),
            logprobs: null,
          },
        ],
        usage: usageOf(result),
      };
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
