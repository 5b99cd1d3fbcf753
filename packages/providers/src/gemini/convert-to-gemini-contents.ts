import { type ChatMessage, type ContentPart, textOf } from '@switchyard/spec';
import { guessImageMimeType, parseDataUrl } from '../common/parse-data-url.ts';
import { parseToolArguments } from '../common/tool-arguments.ts';

type GeminiPart =
  | { text: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: Record<string, unknown> } }
  | { functionResponse: { name: string; response: Record<string, unknown> } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiPrompt {
  /** System messages, one part each: generateContent takes them in `systemInstruction`. */
  systemInstruction?: { parts: { text: string }[] };
  contents: GeminiContent[];
}

/**
 * Our messages -> generateContent `contents` (assistant becomes `model`). Images become
 * `inlineData` (a data URL) or `fileData` (any other URL, its type guessed from the extension),
 * an assistant's tool calls `functionCall` parts and tool messages `functionResponse` parts in a
 * user turn. Gemini matches a result to its call by function name, not id: the name is the tool
 * message's `name`, else the name of the earlier call with that id. Consecutive messages of one
 * role are merged into one content, because Gemini expects user and model turns to alternate.
 */
export function convertToGeminiContents(messages: readonly ChatMessage[]): GeminiPrompt {
  const system: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  for (const [index, message] of messages.entries()) {
    if (message.role === 'system') {
      system.push({ text: textOf(message.content) });
      continue;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts = toParts(message, messages.slice(0, index));
    const previous = contents.at(-1);
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  }
  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}

function toParts(message: ChatMessage, earlier: readonly ChatMessage[]): GeminiPart[] {
  if (message.role === 'tool') {
    const text = textOf(message.content);
    return [
      {
        functionResponse: {
          name: message.name ?? nameOfCall(message.toolCallId, earlier) ?? '',
          response: toResponseObject(text),
        },
      },
    ];
  }
  const parts: GeminiPart[] =
    typeof message.content === 'string' ? [{ text: message.content }] : message.content.map(toPart);
  if (message.role === 'assistant' && message.toolCalls?.length) {
    const calls = message.toolCalls.map(
      (call): GeminiPart => ({ functionCall: { name: call.name, args: parseToolArguments(call.arguments) } }),
    );
    // An assistant turn that only calls tools has '' as content: no empty text part for it.
    return [...parts.filter((part) => !('text' in part) || part.text !== ''), ...calls];
  }
  return parts;
}

function toPart(part: ContentPart): GeminiPart {
  if (part.type === 'text') return { text: part.text };
  const inline = parseDataUrl(part.url);
  if (inline) return { inlineData: inline };
  return { fileData: { mimeType: guessImageMimeType(part.url), fileUri: part.url } };
}

/** The name of the latest call with this id, among the assistant messages before a result. */
function nameOfCall(id: string | undefined, earlier: readonly ChatMessage[]): string | undefined {
  if (id === undefined) return undefined;
  for (let index = earlier.length - 1; index >= 0; index -= 1) {
    const call = earlier[index]?.toolCalls?.find((candidate) => candidate.id === id);
    if (call) return call.name;
  }
  return undefined;
}

/** `functionResponse.response` must be an object: a JSON object result as is, other text wrapped. */
function toResponseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Plain text: wrapped below.
  }
  return { content: text };
}
