import type { GenerateRequest, ResponseFormat, ToolChoice } from '@switchyard/spec';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages.ts';

/** The Messages API requires max_tokens; this is sent when the request has none. */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 4_096;

/** The forced tool that carries a `json_object` answer (a `json_schema` one is named after its schema). */
const JSON_OBJECT_TOOL = 'json_object';

/**
 * The name of the tool a structured answer arrives in, when the request asks for JSON.
 * Structured output travels as a forced tool call whose `input_schema` is the schema: the
 * answer's `input` is then the JSON answer. That works on every Messages API model and on the
 * simulator; Anthropic's newer native `output_config.format` is not used, as not every model
 * or compatible server accepts it.
 */
export function responseToolName(format: ResponseFormat | undefined): string | undefined {
  if (format?.type === 'json_schema') return format.name;
  if (format?.type === 'json_object') return JSON_OBJECT_TOOL;
  return undefined;
}

/** Our request -> a Messages API body. Fields left undefined are not serialised. */
export function toAnthropicRequestBody(request: GenerateRequest): Record<string, unknown> {
  const { system, messages } = convertToAnthropicMessages(request.messages);
  const tools: Record<string, unknown>[] = (request.tools ?? []).map((tool) => ({
    name: tool.name,
    description: tool.description,
    // Anthropic requires an input schema; a tool without parameters takes an empty object.
    input_schema: tool.parameters ?? { type: 'object', properties: {} },
    ...(tool.strict === undefined ? {} : { strict: tool.strict }),
  }));
  let toolChoice = toAnthropicToolChoice(request.toolChoice, request.parallelToolCalls);
  const format = request.responseFormat;
  const formatTool = responseToolName(format);
  if (formatTool && format && format.type !== 'text') {
    tools.push({
      name: formatTool,
      description:
        format.type === 'json_schema'
          ? (format.description ?? 'Give the answer as this JSON object.')
          : 'Give the answer as a JSON object.',
      input_schema: format.type === 'json_schema' ? format.schema : { type: 'object' },
    });
    // With no tools of its own the answer must be this tool; with some, any tool call will do
    // (a named choice still wins: that call comes first, the JSON answer after its result).
    if (!request.tools?.length || request.toolChoice === 'none') {
      toolChoice = { type: 'tool', name: formatTool, disable_parallel_tool_use: true };
    } else if (typeof request.toolChoice !== 'object') {
      toolChoice = { type: 'any', ...parallel(request.parallelToolCalls) };
    }
  }
  return {
    model: request.model,
    system,
    messages,
    max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    temperature: request.temperature,
    top_p: request.topP,
    stop_sequences: request.stop,
    tools: tools.length > 0 ? tools : undefined,
    tool_choice: tools.length > 0 ? toolChoice : undefined,
    metadata: request.user === undefined ? undefined : { user_id: request.user },
  };
}

function toAnthropicToolChoice(
  choice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
): Record<string, unknown> | undefined {
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...parallel(parallelToolCalls) };
  if (typeof choice === 'object') return { type: 'tool', name: choice.name, ...parallel(parallelToolCalls) };
  if (choice === 'auto' || parallelToolCalls === false)
    return { type: 'auto', ...parallel(parallelToolCalls) };
  return undefined;
}

/** `parallel_tool_calls: false` is Anthropic's `disable_parallel_tool_use: true`, inside tool_choice. */
function parallel(parallelToolCalls: boolean | undefined): Record<string, boolean> {
  return parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
}
