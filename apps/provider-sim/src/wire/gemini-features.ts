import { countImageTokens } from '../count-image-tokens.ts';
import { countTokens } from '../count-tokens.ts';
import type { CallFeatures } from './read-features.ts';
import { type Answer, isRecord, type SimTool } from './wire-format.ts';

/** Function declarations, function calling mode, function responses, JSON output and images of a generateContent body. */
export function readGeminiFeatures(body: Record<string, unknown>, contents: unknown[]): CallFeatures {
  const tools: SimTool[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    if (!isRecord(tool) || !Array.isArray(tool.functionDeclarations)) continue;
    for (const declaration of tool.functionDeclarations) {
      if (isRecord(declaration) && typeof declaration.name === 'string') {
        tools.push({
          name: declaration.name,
          parameters: declaration.parameters ?? declaration.parametersJsonSchema,
        });
      }
    }
  }
  let extraTokens = tools.length > 0 ? countTokens(JSON.stringify(body.tools)) : 0;
  let toolResult: string | undefined;
  for (const [index, content] of contents.entries()) {
    if (!isRecord(content) || !Array.isArray(content.parts)) continue;
    const results: string[] = [];
    for (const part of content.parts) {
      if (!isRecord(part)) continue;
      if (isRecord(part.inlineData)) {
        extraTokens += countImageTokens('gemini', { data: String(part.inlineData.data ?? '') });
      } else if (isRecord(part.fileData)) {
        extraTokens += countImageTokens('gemini', {});
      } else if (isRecord(part.functionCall)) {
        extraTokens += countTokens(JSON.stringify(part.functionCall.args ?? {}));
      } else if (isRecord(part.functionResponse)) {
        const text = JSON.stringify(part.functionResponse.response ?? {});
        extraTokens += countTokens(text);
        results.push(text);
      }
    }
    if (index === contents.length - 1 && content.role !== 'model' && results.length > 0) {
      toolResult = results.join('\n');
    }
  }
  const config = isRecord(body.toolConfig) ? body.toolConfig.functionCallingConfig : undefined;
  return {
    tools,
    toolChoice: readMode(config),
    toolResult,
    responseFormat: readResponseFormat(body.generationConfig),
    extraTokens,
  };
}

function readMode(config: unknown): CallFeatures['toolChoice'] {
  if (!isRecord(config)) return 'auto';
  if (config.mode === 'NONE') return 'none';
  if (config.mode !== 'ANY') return 'auto';
  const allowed = Array.isArray(config.allowedFunctionNames) ? config.allowedFunctionNames : [];
  return typeof allowed[0] === 'string' ? { name: allowed[0] } : 'required';
}

function readResponseFormat(generationConfig: unknown): CallFeatures['responseFormat'] {
  if (!isRecord(generationConfig) || generationConfig.responseMimeType !== 'application/json')
    return undefined;
  const schema = generationConfig.responseSchema ?? generationConfig.responseJsonSchema;
  return schema === undefined ? { type: 'json_object' } : { type: 'json_schema', schema };
}

/** The parts of an answer's tool calls (Gemini sends each call whole). */
export function geminiCallParts(answer: Answer): Record<string, unknown>[] {
  return (answer.toolCalls ?? []).map((call) => ({
    functionCall: { name: call.name, args: call.arguments },
  }));
}
