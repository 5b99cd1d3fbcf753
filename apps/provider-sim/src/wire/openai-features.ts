import { countImageTokens } from '../count-image-tokens.ts';
import { countTokens } from '../count-tokens.ts';
import { type CallFeatures, dataOfUrl } from './read-features.ts';
import { type Answer, isRecord, type SimTool, splitForStream } from './wire-format.ts';

/** Tools, tool choice, tool results, response format and images of a Chat Completions body. */
export function readOpenAIFeatures(body: Record<string, unknown>, messages: unknown[]): CallFeatures {
  const tools: SimTool[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    if (isRecord(tool) && isRecord(tool.function) && typeof tool.function.name === 'string') {
      tools.push({ name: tool.function.name, parameters: tool.function.parameters });
    }
  }
  let extraTokens = tools.length > 0 ? countTokens(JSON.stringify(body.tools)) : 0;
  for (const message of messages) {
    if (!isRecord(message)) continue;
    if (Array.isArray(message.tool_calls)) extraTokens += countTokens(JSON.stringify(message.tool_calls));
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      if (!isRecord(part) || part.type !== 'image_url' || !isRecord(part.image_url)) continue;
      const detail = typeof part.image_url.detail === 'string' ? part.image_url.detail : undefined;
      extraTokens += countImageTokens('openai', { data: dataOfUrl(part.image_url.url), detail });
    }
  }
  const trailing: string[] = [];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (!isRecord(message) || message.role !== 'tool') break;
    trailing.unshift(typeof message.content === 'string' ? message.content : JSON.stringify(message.content));
  }
  return {
    tools,
    toolChoice: readToolChoice(body.tool_choice),
    toolResult: trailing.length > 0 ? trailing.join('\n') : undefined,
    responseFormat: readResponseFormat(body.response_format),
    extraTokens,
  };
}

function readToolChoice(choice: unknown): CallFeatures['toolChoice'] {
  if (choice === 'none' || choice === 'required' || choice === 'auto') return choice;
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string') {
    return { name: choice.function.name };
  }
  return 'auto';
}

function readResponseFormat(format: unknown): CallFeatures['responseFormat'] {
  if (!isRecord(format)) return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema' && isRecord(format.json_schema)) {
    return { type: 'json_schema', schema: format.json_schema.schema };
  }
  return undefined;
}

/** The assistant message of an answer: its text, or its tool calls (content null). */
export function openAIMessageOf(answer: Answer): Record<string, unknown> {
  if (!answer.toolCalls) return { role: 'assistant', content: answer.text, refusal: null };
  return {
    role: 'assistant',
    content: null,
    tool_calls: answer.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    })),
    refusal: null,
  };
}

/** The chunk deltas of an answer's tool calls: each call's id and name, then its arguments in pieces. */
export function openAIToolCallDeltas(answer: Answer): Record<string, unknown>[] {
  const deltas: Record<string, unknown>[] = [];
  for (const [index, call] of (answer.toolCalls ?? []).entries()) {
    deltas.push({
      tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
    });
    for (const piece of splitForStream(JSON.stringify(call.arguments), 16)) {
      deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  }
  return deltas;
}
