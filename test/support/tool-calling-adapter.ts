import type { GenerateRequest, GenerateResult, ProviderAdapter, StreamEvent } from '@switchyard/spec';
import { textOf } from '@switchyard/spec';

/**
 * A real provider adapter for tests of the API surface, answering like a model that uses
 * tools, structured output and images, until the simulator speaks them:
 * - tools offered and the last message is not a tool result: it calls the first tool (or the
 *   one `tool_choice` names) with `{"city":"Paris"}`;
 * - the last message is a tool result: "It is <result> in Paris.";
 * - a `json_schema` response format: `{"title":"Dune","year":1965}` — except that every
 *   other such call leaves out `year` when `flakySchema` is set (a strict schema refuses it);
 * - images in the last message: "I see N image(s): data, https";
 * - otherwise: "Echo: <the last message's text>".
 * It streams its answer word by word and its tool calls' arguments in two pieces.
 */
export function createToolCallingAdapter(
  id: string,
  options: { flakySchema?: boolean } = {},
): ProviderAdapter & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  let calls = 0;
  let schemaCalls = 0;

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    requests.push(request);
    calls++;
    const last = request.messages.at(-1)!;
    const usage = { inputTokens: 20, outputTokens: 10 };
    const base = { usage, model: request.model };
    if (request.tools?.length && last.role !== 'tool' && request.toolChoice !== 'none') {
      const named = typeof request.toolChoice === 'object' ? request.toolChoice.name : undefined;
      return {
        ...base,
        content: '',
        toolCalls: [
          { id: `call_${calls}`, name: named ?? request.tools[0]!.name, arguments: '{"city":"Paris"}' },
        ],
        finishReason: 'tool_calls',
      };
    }
    if (last.role === 'tool')
      return { ...base, content: `It is ${textOf(last.content)} in Paris.`, finishReason: 'stop' };
    if (request.responseFormat?.type === 'json_schema') {
      schemaCalls++;
      const broken = options.flakySchema && schemaCalls % 2 === 1;
      return {
        ...base,
        content: broken ? '{"title":"Dune"}' : '{"title":"Dune","year":1965}',
        finishReason: 'stop',
      };
    }
    const images =
      typeof last.content === 'string' ? [] : last.content.filter((part) => part.type === 'image');
    if (images.length > 0) {
      const kinds = images.map((image) => (image.type === 'image' ? image.url.split(':')[0] : ''));
      return {
        ...base,
        content: `I see ${images.length} image(s): ${kinds.join(', ')}`,
        finishReason: 'stop',
      };
    }
    return { ...base, content: `Echo: ${textOf(last.content)}`, finishReason: 'stop' };
  }

  async function* stream(request: GenerateRequest): AsyncIterable<StreamEvent> {
    const result = await generate(request);
    for (const word of result.content.split(/(?<= )/)) if (word) yield { type: 'delta', text: word };
    for (const [index, call] of (result.toolCalls ?? []).entries()) {
      const half = Math.floor(call.arguments.length / 2);
      yield {
        type: 'tool_call_delta',
        index,
        id: call.id,
        name: call.name,
        arguments: call.arguments.slice(0, half),
      };
      yield { type: 'tool_call_delta', index, arguments: call.arguments.slice(half) };
    }
    yield { type: 'done', result };
  }

  return { id, kind: 'openai', requests, generate, stream };
}
