import type { JobInput } from '@switchyard/broker';
import type { ChatMessage, ContentPart, ResponseFormat, ToolChoice } from '@switchyard/spec';
import { z } from 'zod';

/** Input limits: generous for real work, small enough that one request cannot hurt the service. */
export const BODY_LIMITS = {
  messages: 1_000,
  contentChars: 1_000_000,
  contentParts: 100,
  maxTokens: 1_000_000,
  stopSequences: 4,
  tools: 128,
  toolCalls: 128,
  /** An `https:` image URL. */
  imageUrlChars: 4_096,
  /** A `data:image/...;base64,` URL: about 5 MB of image, under the 8 MiB body limit. */
  imageDataUrlChars: 7_000_000,
} as const;

/** The image media types a `data:` URL may carry: the ones every wire format takes. */
const IMAGE_DATA_URL = /^data:image\/(?:png|jpeg|gif|webp);base64,/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An image by `https:` URL, or inline as a base64 `data:` URL of an image media type. */
const ImageUrl = z.string().superRefine((url, context) => {
  const refuse = (message: string) => context.addIssue({ code: 'custom', message });
  if (url.startsWith('data:')) {
    if (url.length > BODY_LIMITS.imageDataUrlChars)
      return refuse(`a data URL holds at most ${BODY_LIMITS.imageDataUrlChars} characters`);
    const prefix = IMAGE_DATA_URL.exec(url);
    if (!prefix || !BASE64.test(url.slice(prefix[0].length)))
      return refuse('expected data:image/(png|jpeg|gif|webp);base64,<data>');
    return;
  }
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {}
  if (protocol !== 'https:') return refuse('expected an https URL or a data:image/... URL');
  if (url.length > BODY_LIMITS.imageUrlChars)
    refuse(`an image URL holds at most ${BODY_LIMITS.imageUrlChars} characters`);
});

const text = z.string().max(BODY_LIMITS.contentChars);
const TextPart = z.object({ type: z.literal('text'), text });
const ImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: ImageUrl, detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const textContent = z.union([text, z.array(TextPart).min(1).max(BODY_LIMITS.contentParts)]);
const name = z.string().max(256).optional();
/** OpenAI's function names; every wire format takes them. */
const functionName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, _ or -');

const ToolCallSchema = z.object({
  id: z.string().min(1).max(256),
  type: z.literal('function'),
  function: z.object({ name: functionName, arguments: text }),
});

export const ChatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: textContent, name }),
  z.object({
    role: z.literal('user'),
    content: z.union([
      text,
      z
        .array(z.discriminatedUnion('type', [TextPart, ImagePart]))
        .min(1)
        .max(BODY_LIMITS.contentParts),
    ]),
    name,
  }),
  z.object({
    role: z.literal('assistant'),
    /** null (or absent) when the message only calls tools. */
    content: textContent.nullable().optional(),
    tool_calls: z.array(ToolCallSchema).max(BODY_LIMITS.toolCalls).optional(),
    refusal: z.string().max(BODY_LIMITS.contentChars).nullable().optional(),
    name,
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1).max(256), content: textContent }),
]);

export const ToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: functionName,
    description: z.string().max(BODY_LIMITS.contentChars).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

export const ToolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: functionName }) }),
]);

export const ResponseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: functionName,
      description: z.string().max(BODY_LIMITS.contentChars).optional(),
      schema: z.record(z.string(), z.unknown()),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

const penalty = z.number().min(-2).max(2).nullable().optional();

/**
 * What shapes an answer, in OpenAI's names: the fields `/v1/chat/completions`, batch lines
 * and `/v1/jobs` share. (Each adds its own: `model`, `stream`, Switchyard's extensions.)
 */
export const generationFields = {
  messages: z.array(ChatMessageSchema).min(1).max(BODY_LIMITS.messages),
  max_tokens: z.number().int().min(1).max(BODY_LIMITS.maxTokens).nullable().optional(),
  max_completion_tokens: z.number().int().min(1).max(BODY_LIMITS.maxTokens).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  stop: z
    .union([z.string().min(1), z.array(z.string().min(1)).max(BODY_LIMITS.stopSequences)])
    .nullable()
    .optional(),
  tools: z.array(ToolSchema).max(BODY_LIMITS.tools).optional(),
  tool_choice: ToolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  response_format: ResponseFormatSchema.optional(),
  seed: z.number().int().nullable().optional(),
  presence_penalty: penalty,
  frequency_penalty: penalty,
  user: z.string().max(256).optional(),
  /** OpenAI's successor of `user`; carried as `user` when `user` is absent. */
  safety_identifier: z.string().max(256).optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
};

/**
 * The fields a chat completion body may hold besides `generationFields`. Those marked
 * "ignored" change nothing about the answer and are accepted so SDKs can send them.
 */
export const chatCompletionFields = {
  ...generationFields,
  model: z.string().min(1).max(256).meta({ description: 'A route name, or provider/model.' }),
  n: z.literal(1).nullable().optional().meta({ description: 'Only 1.' }),
  stream: z.boolean().nullable().optional(),
  stream_options: z
    .object({ include_usage: z.boolean().nullable().optional(), include_obfuscation: z.boolean().optional() })
    .nullable()
    .optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  store: z.boolean().nullable().optional().meta({ description: 'Ignored: nothing is stored for later.' }),
  service_tier: z.string().max(64).nullable().optional().meta({ description: 'Ignored.' }),
  prompt_cache_key: z.string().max(1_024).optional().meta({ description: 'Ignored.' }),
  prompt_cache_retention: z.string().max(64).nullable().optional().meta({ description: 'Ignored.' }),
  logit_bias: z
    .record(z.string(), z.number())
    .nullable()
    .optional()
    .meta({ description: 'Only empty: biases are refused.' }),
  modalities: z.array(z.literal('text')).nullable().optional().meta({ description: 'Only ["text"].' }),
};

/** Fields that would change the answer and are not carried, with what to do instead. */
const REFUSED: Readonly<Record<string, string>> = {
  audio: 'audio output is not available',
  functions: 'the legacy functions field is not available; use tools',
  function_call: 'the legacy function_call field is not available; use tool_choice',
  prediction: 'predicted outputs are not available',
  reasoning_effort: 'reasoning_effort is not carried to providers',
  verbosity: 'verbosity is not carried to providers',
  web_search_options: 'web search is not available',
};

export interface UnsupportedParameter {
  field: string;
  message: string;
}

/**
 * The first field of a body that would change the answer and is not supported: a refused
 * field with a value other than its default (`n` above 1, a non-empty `logit_bias`,
 * `modalities` with audio), or any field not in `accepted`. A null value means "the
 * default" and passes, as the OpenAI API takes it.
 */
export function unsupportedParameter(
  body: unknown,
  accepted: ReadonlySet<string>,
): UnsupportedParameter | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  for (const [field, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    const refuse = (message: string) => ({ field, message: `${field}: ${message}` });
    if (REFUSED[field]) return refuse(REFUSED[field]);
    if (field === 'n' && value !== 1) return refuse('only 1 choice is available');
    if (field === 'logit_bias' && typeof value === 'object' && Object.keys(value).length > 0)
      return refuse('logit biases are not carried to providers');
    if (field === 'modalities' && Array.isArray(value) && value.some((modality) => modality !== 'text'))
      return refuse('only text output is available');
    if (!accepted.has(field)) return refuse('not a supported parameter');
  }
  return undefined;
}

/** Cross-field checks: a named tool choice names a tool; `top_logprobs` needs `logprobs`. */
export function checkGenerationFields(body: GenerationFields, context: z.RefinementCtx): void {
  const choice = body.tool_choice;
  if (typeof choice === 'object' && !body.tools?.some((tool) => tool.function.name === choice.function.name))
    context.addIssue({
      code: 'custom',
      path: ['tool_choice'],
      message: `no tool named ${choice.function.name} in tools`,
    });
  if (body.top_logprobs != null && body.logprobs !== true)
    context.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'needs logprobs: true' });
}

export type GenerationFields = z.infer<z.ZodObject<typeof generationFields>>;

/** OpenAI-shaped fields mapped onto what a job sends to its provider. */
export function toJobInput(body: GenerationFields): JobInput {
  const toolNames = new Map<string, string>();
  const messages = body.messages.map((message): ChatMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: joinText(message.content) };
      case 'user':
        return {
          role: 'user',
          content:
            typeof message.content === 'string'
              ? message.content
              : message.content.map(
                  (part): ContentPart =>
                    part.type === 'text'
                      ? part
                      : {
                          type: 'image',
                          url: part.image_url.url,
                          ...(part.image_url.detail ? { detail: part.image_url.detail } : {}),
                        },
                ),
        };
      case 'assistant': {
        const toolCalls = (message.tool_calls ?? []).map((call) => {
          toolNames.set(call.id, call.function.name);
          return { id: call.id, name: call.function.name, arguments: call.function.arguments };
        });
        return {
          role: 'assistant',
          content: message.content == null ? '' : joinText(message.content),
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
        };
      }
      default: {
        // OpenAI's tool messages name only the call; Gemini matches results by function name.
        const functionName = toolNames.get(message.tool_call_id);
        return {
          role: 'tool',
          content: joinText(message.content),
          toolCallId: message.tool_call_id,
          ...(functionName ? { name: functionName } : {}),
        };
      }
    }
  });
  const tools = body.tools?.map(({ function: definition }) => ({
    name: definition.name,
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    ...(definition.parameters !== undefined ? { parameters: definition.parameters } : {}),
    ...(definition.strict != null ? { strict: definition.strict } : {}),
  }));
  const input: JobInput = {
    messages,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    stop: body.stop == null ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop,
    tools: tools?.length ? tools : undefined,
    toolChoice: toolChoiceOf(body),
    parallelToolCalls: tools?.length ? (body.parallel_tool_calls ?? undefined) : undefined,
    responseFormat: responseFormatOf(body.response_format),
    seed: body.seed ?? undefined,
    presencePenalty: body.presence_penalty ?? undefined,
    frequencyPenalty: body.frequency_penalty ?? undefined,
    user: body.user ?? body.safety_identifier,
    logprobs: body.logprobs ?? undefined,
    topLogprobs: body.top_logprobs ?? undefined,
  };
  // Absent options stay absent in the stored job.
  for (const key of Object.keys(input) as (keyof JobInput)[]) if (input[key] === undefined) delete input[key];
  return input;
}

const joinText = (content: string | { text: string }[]) =>
  typeof content === 'string' ? content : content.map((part) => part.text).join('');

/** Without tools a choice means nothing (`none`, `auto`), so it is left out. */
function toolChoiceOf(body: GenerationFields): ToolChoice | undefined {
  const choice = body.tool_choice;
  if (choice === undefined || !body.tools?.length) return undefined;
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

function responseFormatOf(format: GenerationFields['response_format']): ResponseFormat | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  const { name, schema, strict, description } = format.json_schema;
  return {
    type: 'json_schema',
    name,
    schema,
    ...(strict != null ? { strict } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}
