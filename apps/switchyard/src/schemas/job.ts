import { BODY_LIMITS, checkGenerationFields, generationFields } from '@switchyard/batches';
import {
  type AttemptOutcome,
  OUTCOME_POLICY,
  PERSONAL_DATA_KINDS,
  PRIORITIES,
  SENSITIVITIES,
} from '@switchyard/broker';
import { z } from 'zod';
import { checkSchemas } from './chat-completion.ts';

/** Input limits: generous for real work, small enough that one request cannot hurt the service. */
export const LIMITS = { ...BODY_LIMITS, metadataBytes: 16_384 } as const;

export const SubmitJobBody = z
  .strictObject({
    route: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .meta({ description: 'A route name from the configuration.' }),
    model: z.string().min(1).max(256).optional().meta({ description: 'A route name, or provider/model.' }),
    // The messages, tools, response format and sampling fields of a chat completion.
    ...generationFields,
    messages: generationFields.messages.optional(),
    prompt: z.string().min(1).max(LIMITS.contentChars).optional(),
    system: z.string().max(LIMITS.contentChars).optional(),
    sensitivity: z.enum(SENSITIVITIES).optional().meta({ description: 'Default public.' }),
    deadline: z
      .string()
      .max(64)
      .optional()
      .meta({ description: 'RFC 3339 time or a duration: "90s", "6h".' }),
    priority: z.enum(PRIORITIES).optional().meta({ description: 'Default interactive.' }),
    callback_url: z.string().max(2_048).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .optional()
      .refine((value) => value === undefined || JSON.stringify(value).length <= LIMITS.metadataBytes, {
        message: `metadata must be at most ${LIMITS.metadataBytes} bytes of JSON`,
      }),
  })
  .superRefine((body, context) => {
    checkGenerationFields({ ...body, messages: body.messages ?? [] }, context);
    checkSchemas({ ...body, messages: body.messages ?? [] }, context);
    if ((body.route === undefined) === (body.model === undefined)) {
      context.addIssue({ code: 'custom', path: ['route'], message: 'set exactly one of route or model' });
    }
    if ((body.messages === undefined) === (body.prompt === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['messages'],
        message: 'set exactly one of messages or prompt',
      });
    }
  })
  .meta({ id: 'SubmitJob' });

export const JobIdParams = z.strictObject({ id: z.string().min(1).max(128) });

export const SubmitJobQuery = z.strictObject({
  wait: z.coerce.number().min(0).max(60).optional().meta({
    description:
      'Wait up to this many seconds for the job to finish: 200 with the finished job, else 202. A waiting client gets the synchronous fast path.',
  }),
});

export const GetJobQuery = z.strictObject({
  wait: z.coerce
    .number()
    .min(0)
    .max(60)
    .optional()
    .meta({ description: 'Long-poll up to this many seconds.' }),
});

const Attempt = z.object({
  provider: z.string(),
  model: z.string(),
  outcome: z.enum(['succeeded', 'skipped', ...(Object.keys(OUTCOME_POLICY) as AttemptOutcome[])]),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  started_at: z.string(),
  finished_at: z.string(),
  latency_ms: z.number(),
});

export const JobView = z
  .object({
    id: z.string(),
    object: z.literal('job'),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    route: z.string(),
    priority: z.enum(PRIORITIES),
    sensitivity: z.enum(SENSITIVITIES),
    deadline: z.string(),
    result: z
      .object({
        content: z.string(),
        tool_calls: z
          .array(
            z.object({
              id: z.string(),
              name: z.string(),
              arguments: z.string().meta({ description: 'JSON text.' }),
            }),
          )
          .optional()
          .meta({ description: 'The functions the model called (finish_reason tool_calls).' }),
        finish_reason: z.string(),
        provider: z.string(),
        model: z.string(),
        usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }),
        cost_usd: z.number(),
        latency_ms: z.number(),
      })
      .optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    attempts: z.array(Attempt),
    callback_url: z.string().optional(),
    deliveries: z.array(z.record(z.string(), z.unknown())).optional(),
    batch_id: z.string().optional(),
    custom_id: z.string().optional(),
    personal_data: z.array(z.enum(PERSONAL_DATA_KINDS)).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    created_at: z.string(),
    completed_at: z.string().optional(),
  })
  .meta({ id: 'Job' });
