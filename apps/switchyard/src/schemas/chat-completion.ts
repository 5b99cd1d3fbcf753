import { chatCompletionFields, checkGenerationFields, type GenerationFields } from '@switchyard/batches';
import { SENSITIVITIES } from '@switchyard/broker';
import { z } from 'zod';
import { schemaProblem } from '../check-strict-answer.ts';

/** Switchyard's own fields on an OpenAI chat completion request. */
const extensions = {
  sensitivity: z.enum(SENSITIVITIES).optional().meta({ description: 'Switchyard extension.' }),
  deadline: z.string().max(64).optional().meta({ description: 'Switchyard extension: RFC 3339 or "90s".' }),
};

/** Every field `/v1/chat/completions` takes: any other is refused as `unsupported_parameter`. */
export const CHAT_COMPLETION_FIELDS: ReadonlySet<string> = new Set(
  Object.keys({ ...chatCompletionFields, ...extensions }),
);

/** JSON schemas a request brings (its response format's, its strict tools') must compile. */
export function checkSchemas(body: GenerationFields, context: z.RefinementCtx): void {
  const format = body.response_format;
  if (format?.type === 'json_schema') {
    const problem = schemaProblem(format.json_schema.schema);
    if (problem)
      context.addIssue({
        code: 'custom',
        path: ['response_format', 'json_schema', 'schema'],
        message: problem,
      });
  }
  for (const [index, tool] of (body.tools ?? []).entries()) {
    if (!tool.function.strict || !tool.function.parameters) continue;
    const problem = schemaProblem(tool.function.parameters);
    if (problem)
      context.addIssue({
        code: 'custom',
        path: ['tools', index, 'function', 'parameters'],
        message: problem,
      });
  }
}

/**
 * OpenAI's chat completion request: messages with tool calls and images, tools, response
 * formats and sampling fields. Fields that change nothing are accepted and ignored; any
 * other field is refused (see `unsupportedParameter`).
 */
export const ChatCompletionBody = z
  .strictObject({ ...chatCompletionFields, ...extensions })
  .superRefine((body, context) => {
    checkGenerationFields(body, context);
    checkSchemas(body, context);
  })
  .meta({ id: 'ChatCompletionRequest' });

const ToolCallView = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

/** Who served a job: `model` in the answer is the route the client named. */
export const ServedBy = z
  .object({
    provider: z.string(),
    model: z.string().meta({ description: "The provider's model that answered." }),
    job_id: z.string(),
  })
  .meta({ id: 'ServedBy', description: 'Switchyard extension: which provider and model answered.' });

export const ChatCompletion = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number(),
    model: z.string().meta({ description: 'The model (route) the request named.' }),
    choices: z.array(
      z.object({
        index: z.number(),
        message: z.object({
          role: z.literal('assistant'),
          content: z.string().nullable().meta({ description: 'null when the answer only calls tools.' }),
          refusal: z.null(),
          tool_calls: z.array(ToolCallView).optional(),
        }),
        finish_reason: z.string(),
        logprobs: z.null(),
      }),
    ),
    usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }),
    switchyard: ServedBy,
  })
  .meta({ id: 'ChatCompletion' });

export const ModelList = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
  ),
});
