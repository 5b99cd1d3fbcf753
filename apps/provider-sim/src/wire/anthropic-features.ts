import { countImageTokens } from '../count-image-tokens.ts';
import { countTokens } from '../count-tokens.ts';
import { type CallFeatures, resultText } from './read-features.ts';
import { type Answer, isRecord, type SimTool, splitForStream } from './wire-format.ts';

/**
 * Tools, tool choice, tool results and images of a Messages API body. Anthropic has no response
 * format: a structured answer is asked for with a forced tool, which the simulator answers
 * like any forced tool.
 */
export function readAnthropicFeatures(body: Record<string, unknown>, messages: unknown[]): CallFeatures {
  const tools: SimTool[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    if (isRecord(tool) && typeof tool.name === 'string')
      tools.push({ name: tool.name, parameters: tool.input_schema });
  }
  let extraTokens = tools.length > 0 ? countTokens(JSON.stringify(body.tools)) : 0;
  let toolResult: string | undefined;
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message) || !Array.isArray(message.content)) continue;
    const results: string[] = [];
    for (const block of message.content) {
      if (!isRecord(block)) continue;
      if (block.type === 'image' && isRecord(block.source)) {
        const data = block.source.type === 'base64' ? String(block.source.data ?? '') : undefined;
        extraTokens += countImageTokens('anthropic', { data });
      } else if (block.type === 'tool_use') {
        extraTokens += countTokens(JSON.stringify(block.input ?? {}));
      } else if (block.type === 'tool_result') {
        const text = resultText(block.content);
        extraTokens += countTokens(text);
        results.push(text);
      }
    }
    if (index === messages.length - 1 && message.role === 'user' && results.length > 0) {
      toolResult = results.join('\n');
    }
  }
  return { tools, toolChoice: readToolChoice(body.tool_choice), toolResult, extraTokens };
}

function readToolChoice(choice: unknown): CallFeatures['toolChoice'] {
  if (!isRecord(choice)) return 'auto';
  if (choice.type === 'none') return 'none';
  if (choice.type === 'any') return 'required';
  if (choice.type === 'tool' && typeof choice.name === 'string') return { name: choice.name };
  return 'auto';
}

/** The content blocks of an answer: its text, or its tool_use blocks. */
export function anthropicContentOf(answer: Answer): Record<string, unknown>[] {
  if (!answer.toolCalls) return [{ type: 'text', text: answer.text }];
  return answer.toolCalls.map((call) => ({
    type: 'tool_use',
    id: toolUseId(call.id),
    name: call.name,
    input: call.arguments,
  }));
}

/** The stream events of an answer's tool_use blocks, from content block `first` on. */
export function anthropicToolUseEvents(
  answer: Answer,
  first: number,
  event: (type: string, data: Record<string, unknown>) => string,
): string[] {
  const events: string[] = [];
  for (const [offset, call] of (answer.toolCalls ?? []).entries()) {
    const index = first + offset;
    events.push(
      event('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: toolUseId(call.id), name: call.name, input: {} },
      }),
    );
    for (const partial_json of splitForStream(JSON.stringify(call.arguments), 16)) {
      events.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }));
    }
    events.push(event('content_block_stop', { index }));
  }
  return events;
}

/** Anthropic's ids start `toolu_`. */
function toolUseId(id: string): string {
  return id.replace(/^call_/, 'toolu_');
}
