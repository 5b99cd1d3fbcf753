import type { GenerateRequest, GenerateResult, ProviderAdapter, StreamEvent } from '@switchyard/spec';
import { textOf } from '@switchyard/spec';

/**
 * A real provider adapter for the tests of the API surface that the provider simulator cannot
 * serve: it keeps every request exactly as the worker handed it over (so a test can check
 * which fields reached the adapter), and its structured answers can break their schema on
 * purpose (the simulator's always keep it), so a test can watch a strict schema refuse one.
 * - a `json_schema` response format: `{"title":"Dune","year":1965}` — except that every other
 *   such call leaves out `year` when `flakySchema` is set;
 * - otherwise: "Echo: <the last message's text>", streamed word by word.
 */
export function createRecordingAdapter(
  id: string,
  options: { flakySchema?: boolean } = {},
): ProviderAdapter & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  let schemaCalls = 0;

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    requests.push(request);
    const base = {
      usage: { inputTokens: 20, outputTokens: 10 },
      model: request.model,
      finishReason: 'stop' as const,
    };
    if (request.responseFormat?.type === 'json_schema') {
      schemaCalls++;
      const broken = options.flakySchema && schemaCalls % 2 === 1;
      return { ...base, content: broken ? '{"title":"Dune"}' : '{"title":"Dune","year":1965}' };
    }
    return { ...base, content: `Echo: ${textOf(request.messages.at(-1)!.content)}` };
  }

  async function* stream(request: GenerateRequest): AsyncIterable<StreamEvent> {
    const result = await generate(request);
    for (const word of result.content.split(/(?<= )/)) if (word) yield { type: 'delta', text: word };
    yield { type: 'done', result };
  }

  return { id, kind: 'openai', requests, generate, stream };
}
