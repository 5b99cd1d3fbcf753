import type { GenerateRequest, ResponseFormat, ToolChoice } from '@switchyard/spec';
import { convertToOpenAIMessages } from './convert-to-openai-messages.ts';

/** Our request -> a Chat Completions body. Fields left undefined are not serialised. */
export function toOpenAIRequestBody(request: GenerateRequest): Record<string, unknown> {
  return {
    model: request.model,
    messages: convertToOpenAIMessages(request.messages),
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: request.stop,
    tools: request.tools?.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters,
        strict: tool.strict,
      },
    })),
    tool_choice: toOpenAIToolChoice(request.toolChoice),
    // Only meaningful with tools; some compatible servers reject it otherwise.
    parallel_tool_calls: request.tools?.length ? request.parallelToolCalls : undefined,
    response_format: toOpenAIResponseFormat(request.responseFormat),
    seed: request.seed,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    user: request.user,
    logprobs: request.logprobs,
    top_logprobs: request.topLogprobs,
  };
}

function toOpenAIToolChoice(choice: ToolChoice | undefined): unknown {
  if (choice === undefined || typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}

function toOpenAIResponseFormat(format: ResponseFormat | undefined): unknown {
  if (format?.type !== 'json_schema') return format;
  const { name, schema, strict, description } = format;
  return { type: 'json_schema', json_schema: { name, schema, strict, description } };
}
