import { buildExampleValue } from './build-example-value.ts';
import { charactersForTokens, countTokens } from './count-tokens.ts';
import { type Summary, summarize } from './summarize.ts';
import type { ChatCall, SimToolCall } from './wire/wire-format.ts';

/** What the simulated model answers: text (a summary, JSON or a tool result) or tool calls. */
export interface Reply extends Summary {
  /** Tool calls (ids are given by the wire format when it renders them). */
  toolCalls?: Omit<SimToolCall, 'id'>[];
}

/**
 * The simulated model's deterministic answer, in this order:
 * 1. tools offered, a choice other than `none`, and the last message not a tool result: one
 *    call of the forced tool (else the first), its arguments built from its parameters schema
 *    and the prompt (`buildExampleValue`);
 * 2. the last message is a tool result: `Tool result: <the result text>`;
 * 3. a JSON schema response format: a JSON object built from the schema the same way;
 *    `json_object`: `{"summary": <the summary>}`;
 * 4. otherwise the extractive summary of the user text, as before tools existed.
 * Text answers are cut at `maxTokens` as summaries are; tool calls are never cut.
 */
export function decideReply(call: ChatCall, maxTokens: number): Reply {
  const tool = chooseTool(call);
  if (tool) {
    const args = buildExampleValue(tool.parameters, call.userText);
    const argumentsObject =
      typeof args === 'object' && args !== null && !Array.isArray(args)
        ? (args as Record<string, unknown>)
        : {};
    return {
      text: '',
      outputTokens: countTokens(JSON.stringify(argumentsObject)),
      reachedMaxTokens: false,
      toolCalls: [{ name: tool.name, arguments: argumentsObject }],
    };
  }
  if (call.toolResult !== undefined) return fit(`Tool result: ${call.toolResult}`, maxTokens);
  if (call.responseFormat?.type === 'json_schema') {
    return fit(JSON.stringify(buildExampleValue(call.responseFormat.schema, call.userText)), maxTokens);
  }
  if (call.responseFormat?.type === 'json_object') {
    const summary = summarize(call.userText, maxTokens).text;
    return fit(JSON.stringify({ summary }), maxTokens);
  }
  return summarize(call.userText, maxTokens);
}

function chooseTool(call: ChatCall) {
  if (call.tools.length === 0 || call.toolChoice === 'none' || call.toolResult !== undefined)
    return undefined;
  const { toolChoice } = call;
  if (typeof toolChoice === 'object') return call.tools.find((tool) => tool.name === toolChoice.name);
  return call.tools[0];
}

function fit(text: string, maxTokens: number): Reply {
  const tokens = countTokens(text);
  if (tokens <= maxTokens) return { text, outputTokens: tokens, reachedMaxTokens: false };
  const cut = text.slice(0, charactersForTokens(maxTokens));
  return { text: cut, outputTokens: countTokens(cut), reachedMaxTokens: true };
}
