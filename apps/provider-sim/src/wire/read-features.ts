import type { ChatCall } from './wire-format.ts';

/** What a request asks for beyond plain text, read by each wire format from its own fields. */
export type CallFeatures = Pick<ChatCall, 'tools' | 'toolChoice' | 'toolResult' | 'responseFormat'> & {
  /** Input tokens beyond the messages' text: images, tool definitions, calls and results. */
  extraTokens: number;
};

/** The text of a tool result given as a string or as content blocks with `text`. */
export function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined ? '' : JSON.stringify(content);
  return content
    .map((block) =>
      typeof block === 'object' && block !== null && typeof (block as { text?: unknown }).text === 'string'
        ? (block as { text: string }).text
        : '',
    )
    .join('\n');
}

/** The base64 data of a `data:` URL, for reading an image's size. */
export function dataOfUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || !url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  return comma < 0 ? undefined : url.slice(comma + 1);
}
