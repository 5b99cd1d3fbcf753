import type { JobInput } from '@switchyard/broker';
import type { ChatMessage, ContentPart, ToolCall, ToolChoice } from '@switchyard/spec';
import { ApiError } from '../api-error.ts';
import type { MessagesBody } from '../schemas/anthropic-messages.ts';

type Message = MessagesBody['messages'][number];
type Block = Exclude<Message['content'], string>[number];
type ImageBlock = Extract<Block, { type: 'image' }>;

/** An image block as a content part: base64 becomes a `data:` URL, a URL stays one. */
function imagePart(block: ImageBlock): ContentPart {
  const { source } = block;
  return {
    type: 'image',
    url: source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url,
  };
}

/** Text and image blocks as content: a plain string when there is only text. */
function contentOf(parts: ContentPart[]): ChatMessage['content'] {
  return parts.every((part) => part.type === 'text') ? parts.map((part) => part.text).join('') : parts;
}

/**
 * A `tool_result` block as a `tool` message. The contract has no error flag on a tool
 * message, so an `is_error` result says so in its text, which every model reads.
 */
function toolMessage(
  block: Extract<Block, { type: 'tool_result' }>,
  names: ReadonlyMap<string, string>,
  field: string,
): ChatMessage {
  const name = names.get(block.tool_use_id);
  if (!name) {
    throw new ApiError(
      400,
      'invalid_request',
      `${field}.tool_use_id ${block.tool_use_id} answers no tool_use of an earlier assistant message`,
      { field: `${field}.tool_use_id` },
    );
  }
  const parts: ContentPart[] =
    typeof block.content === 'string'
      ? [{ type: 'text', text: block.content }]
      : (block.content ?? []).map((part) => (part.type === 'text' ? part : imagePart(part)));
  if (block.is_error) parts.unshift({ type: 'text', text: 'Error: ' });
  return { role: 'tool', toolCallId: block.tool_use_id, name, content: contentOf(parts) };
}

/**
 * One Anthropic message as chat messages. A user message's `tool_result` blocks become `tool`
 * messages (in order, before the rest of its content, as the OpenAI format wants them right
 * after the assistant's calls); an assistant message's `tool_use` blocks become its tool calls.
 */
function convertMessage(message: Message, index: number, names: Map<string, string>): ChatMessage[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  const field = `messages[${index}].content`;
  const parts: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  const toolMessages: ChatMessage[] = [];
  for (const [position, block] of message.content.entries()) {
    const where = `${field}[${position}]`;
    if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') {
      if (message.role === 'assistant') throw wrongRole(where, 'image', 'user');
      parts.push(imagePart(block));
    } else if (block.type === 'tool_use') {
      if (message.role === 'user') throw wrongRole(where, 'tool_use', 'assistant');
      names.set(block.id, block.name);
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
    } else {
      if (message.role === 'assistant') throw wrongRole(where, 'tool_result', 'user');
      toolMessages.push(toolMessage(block, names, where));
    }
  }
  if (message.role === 'assistant') {
    return [{ role: 'assistant', content: contentOf(parts), ...(toolCalls.length > 0 ? { toolCalls } : {}) }];
  }
  return parts.length > 0 ? [...toolMessages, { role: 'user', content: contentOf(parts) }] : toolMessages;
}

const wrongRole = (field: string, type: string, role: string) =>
  new ApiError(400, 'invalid_request', `${field}: ${type} blocks belong in ${role} messages`, {
    field: `${field}.type`,
  });

function toolChoiceOf(choice: NonNullable<MessagesBody['tool_choice']>): ToolChoice {
  if (choice.type === 'auto') return 'auto';
  if (choice.type === 'any') return 'required';
  if (choice.type === 'none') return 'none';
  return { name: choice.name };
}

/** Anthropic's Messages request as what a job sends to whichever provider serves it. */
export function toJobInput(body: MessagesBody): JobInput {
  const names = new Map<string, string>();
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) {
    const system =
      typeof body.system === 'string' ? body.system : body.system.map((block) => block.text).join('\n\n');
    if (system) messages.push({ role: 'system', content: system });
  }
  for (const [index, message] of body.messages.entries())
    messages.push(...convertMessage(message, index, names));

  const choice = body.tool_choice;
  const format = body.output_config?.format;
  return {
    messages,
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    stop: body.stop_sequences,
    tools: body.tools?.map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: tool.input_schema,
      strict: tool.strict,
    })),
    toolChoice: choice ? toolChoiceOf(choice) : undefined,
    parallelToolCalls:
      choice && 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use ? false : undefined,
    responseFormat: format
      ? { type: 'json_schema', name: 'output', schema: format.schema, strict: true }
      : undefined,
    user: body.metadata?.user_id ?? undefined,
  };
}
