import type { GenerateRequest, ToolChoice } from '@switchyard/spec';
import { convertToGeminiContents } from './convert-to-gemini-contents.ts';
import { toGeminiSchema } from './to-gemini-schema.ts';

/** Our request -> a generateContent body. Fields left undefined are not serialised. */
export function toGeminiRequestBody(request: GenerateRequest): Record<string, unknown> {
  const format = request.responseFormat;
  const json = format?.type === 'json_object' || format?.type === 'json_schema';
  const generationConfig = {
    maxOutputTokens: request.maxTokens,
    temperature: request.temperature,
    topP: request.topP,
    stopSequences: request.stop,
    seed: request.seed,
    presencePenalty: request.presencePenalty,
    frequencyPenalty: request.frequencyPenalty,
    responseLogprobs: request.logprobs,
    logprobs: request.topLogprobs,
    responseMimeType: json ? 'application/json' : undefined,
    responseSchema: format?.type === 'json_schema' ? toGeminiSchema(format.schema) : undefined,
  };
  const hasConfig = Object.values(generationConfig).some((value) => value !== undefined);
  const tools = request.tools?.length
    ? [
        {
          functionDeclarations: request.tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            parameters: tool.parameters === undefined ? undefined : toGeminiSchema(tool.parameters),
          })),
        },
      ]
    : undefined;
  const functionCallingConfig = toFunctionCallingConfig(request.toolChoice);
  return {
    ...convertToGeminiContents(request.messages),
    tools,
    toolConfig: tools && functionCallingConfig ? { functionCallingConfig } : undefined,
    ...(hasConfig ? { generationConfig } : {}),
  };
}

function toFunctionCallingConfig(choice: ToolChoice | undefined): Record<string, unknown> | undefined {
  switch (choice) {
    case undefined:
      return undefined;
    case 'auto':
      return { mode: 'AUTO' };
    case 'none':
      return { mode: 'NONE' };
    case 'required':
      return { mode: 'ANY' };
    default:
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}
