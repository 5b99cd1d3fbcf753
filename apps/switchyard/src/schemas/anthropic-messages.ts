import { SENSITIVITIES } from '@switchyard/broker';
import { z } from 'zod';
import { ServedBy } from './chat-completion.ts';
import { LIMITS } from './job.ts';

/** A base64 image can be most of a body (the body limit is 8 MiB). */
const IMAGE_DATA_CHARS = 8 * 1024 * 1024;

const TextBlock = z.object({ type: z.literal('text'), text: z.string().min(1).max(LIMITS.contentChars) });

const ImageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('base64'),
      media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
      data: z.string().min(1).max(IMAGE_DATA_CHARS),
    }),
    z.object({
      type: z.literal('url'),
      url: z
        .string()
        .max(2_048)
        .regex(/^https:\/\//i, 'an image URL must be https'),
    }),
  ]),
});

const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1).max(256),
  name: z.string().min(1).max(256),
  input: z.record(z.string(), z.unknown()),
});

const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1).max(256),
  content: z
    .union([z.string().max(LIMITS.contentChars), z.array(z.union([TextBlock, ImageBlock])).max(100)])
    .optional(),
  is_error: z.boolean().optional(),
});

const ContentBlock = z.discriminatedUnion('type', [TextBlock, ImageBlock, ToolUseBlock, ToolResultBlock]);

const Message = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string().max(LIMITS.contentChars), z.array(ContentBlock).min(1).max(1_000)]),
});

const Tool = z.object({
  type: z.literal('custom').optional(),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, 'a tool name is 1-128 letters, digits, _ or -'),
  description: z.string().max(LIMITS.contentChars).optional(),
  input_schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().optional(),
});

const ToolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({
    type: z.literal('tool'),
    name: z.string().min(1).max(128),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.object({ type: z.literal('none') }),
]);

/**
 * Anthropic's Messages request, as far as it maps onto a job. Fields outside this schema and
 * `IGNORED_FIELDS` are refused before validation (`findUnsupported`): a drop-in must not quietly
 * answer a different question than the one asked.
 */
export const MessagesBody = z
  .object({
    model: z.string().min(1).max(256).meta({ description: 'A route name, or provider/model.' }),
    max_tokens: z.number().int().min(1).max(LIMITS.maxTokens),
    messages: z.array(Message).min(1).max(LIMITS.messages),
    system: z.union([z.string().max(LIMITS.contentChars), z.array(TextBlock).max(100)]).optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    stop_sequences: z.array(z.string().min(1)).max(LIMITS.stopSequences).optional(),
    tools: z.array(Tool).max(128).optional(),
    tool_choice: ToolChoice.optional(),
    output_config: z
      .object({
        format: z
          .object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })
          .nullable()
          .optional(),
        effort: z.null().optional().meta({ description: 'Refused unless null.' }),
      })
      .optional(),
    metadata: z.object({ user_id: z.string().max(256).nullable().optional() }).optional(),
    stream: z.boolean().optional(),
    sensitivity: z.enum(SENSITIVITIES).optional().meta({ description: 'Switchyard extension.' }),
    deadline: z.string().max(64).optional().meta({ description: 'Switchyard extension: RFC 3339 or "90s".' }),
  })
  .meta({ id: 'AnthropicMessagesRequest' });

export type MessagesBody = z.infer<typeof MessagesBody>;

/** Fields that do not change the answer (prompt caching, service tier): accepted and ignored. */
const IGNORED_FIELDS: ReadonlySet<string> = new Set([
  'cache_control',
  'service_tier',
  'speed',
  'diagnostics',
]);

const ACCEPTED_FIELDS: ReadonlySet<string> = new Set(Object.keys(MessagesBody.shape));
const BLOCK_TYPES: ReadonlySet<string> = new Set(['text', 'image', 'tool_use', 'tool_result']);

interface Unsupported {
  code: 'unsupported_field' | 'unsupported_content' | 'unsupported_tool';
  field: string;
  message: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The first part of a request that Switchyard cannot carry to every provider — a field such as
 * `thinking` or `top_k`, a content block such as `document`, a server tool such as web search —
 * or undefined. Checked before the schema so the answer names it with a code of its own.
 */
export function findUnsupported(body: unknown): Unsupported | undefined {
  if (!isRecord(body)) return undefined;
  for (const field of Object.keys(body)) {
    if (ACCEPTED_FIELDS.has(field) || IGNORED_FIELDS.has(field)) continue;
    return { code: 'unsupported_field', field, message: `${field} is not supported` };
  }
  if (isRecord(body.output_config) && body.output_config.effort != null) {
    return {
      code: 'unsupported_field',
      field: 'output_config.effort',
      message: 'output_config.effort is not supported',
    };
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message) || !Array.isArray(message.content)) continue;
    for (const [position, block] of message.content.entries()) {
      const field = `messages[${index}].content[${position}]`;
      const found = unsupportedBlock(block, field) ?? unsupportedToolResult(block, field);
      if (found) return found;
    }
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const [index, tool] of tools.entries()) {
    if (isRecord(tool) && tool.type !== undefined && tool.type !== 'custom') {
      return {
        code: 'unsupported_tool',
        field: `tools[${index}].type`,
        message: `server tools (${String(tool.type)}) are not supported: only custom tools`,
      };
    }
  }
  return undefined;
}

function unsupportedBlock(block: unknown, field: string): Unsupported | undefined {
  if (!isRecord(block) || typeof block.type !== 'string' || BLOCK_TYPES.has(block.type)) return undefined;
  return {
    code: 'unsupported_content',
    field: `${field}.type`,
    message: `${block.type} content blocks are not supported`,
  };
}

function unsupportedToolResult(block: unknown, field: string): Unsupported | undefined {
  if (!isRecord(block) || block.type !== 'tool_result' || !Array.isArray(block.content)) return undefined;
  for (const [position, part] of block.content.entries()) {
    if (isRecord(part) && (part.type === 'text' || part.type === 'image')) continue;
    const found = unsupportedBlock(part, `${field}.content[${position}]`);
    if (found) return found;
  }
  return undefined;
}

const ResponseBlock = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({
    type: z.literal('tool_use'),
    id: z.string(),
    name: z.string(),
    input: z.record(z.string(), z.unknown()),
  }),
]);

export const AnthropicMessage = z
  .object({
    id: z.string(),
    type: z.literal('message'),
    role: z.literal('assistant'),
    content: z.array(ResponseBlock),
    model: z.string().meta({ description: 'The model the request named (a route, or provider/model).' }),
    stop_reason: z.enum(['end_turn', 'max_tokens', 'tool_use', 'refusal']),
    stop_sequence: z.null(),
    usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }),
    switchyard: ServedBy,
  })
  .meta({ id: 'AnthropicMessage' });

export type AnthropicMessage = z.infer<typeof AnthropicMessage>;

/** Anthropic's error body, with Switchyard's stable code (also in `details.error_code`). */
export const AnthropicErrorResponse = z
  .object({
    type: z.literal('error'),
    error: z.object({
      type: z.string().meta({ description: "Anthropic's error type, by HTTP status." }),
      message: z.string(),
      code: z.string().meta({ description: 'Stable, machine-readable: switch on this.' }),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'AnthropicError' });
