import { type ChatMessage, textOf } from '@switchyard/spec';

export interface GeminiContent {
  role: 'user' | 'model';
  parts: { text: string }[];
}

export interface GeminiPrompt {
  /** System messages, one part each: generateContent takes them in `systemInstruction`. */
  systemInstruction?: { parts: { text: string }[] };
  contents: GeminiContent[];
}

/**
 * Our messages -> generateContent `contents` (assistant becomes `model`). Consecutive
 * messages of one role are merged into one content with several parts, because Gemini
 * expects user and model turns to alternate.
 */
export function convertToGeminiContents(messages: readonly ChatMessage[]): GeminiPrompt {
  const system: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      system.push({ text: textOf(message.content) });
      continue;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const previous = contents.at(-1);
    const text = textOf(message.content);
    if (previous?.role === role) previous.parts.push({ text });
    else contents.push({ role, parts: [{ text }] });
  }
  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}
