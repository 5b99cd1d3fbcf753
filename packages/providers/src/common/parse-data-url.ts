/** An image sent inline: its media type and base64 data. */
interface InlineImage {
  mimeType: string;
  data: string;
}

const DATA_URL = /^data:([^;,]+)(?:;[^;,]*)*;base64,(.*)$/s;

/** `data:image/png;base64,...` -> its parts; undefined for any other URL. */
export function parseDataUrl(url: string): InlineImage | undefined {
  const match = DATA_URL.exec(url);
  if (!match) return undefined;
  return { mimeType: match[1]!.toLowerCase(), data: match[2]! };
}

const MIME_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

/**
 * The media type of an image URL, guessed from its file extension (Gemini's `fileData` needs
 * one); `image/jpeg`, the most common, when the extension says nothing.
 */
export function guessImageMimeType(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a URL we can parse: guess from the text as it is.
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (extension && MIME_TYPES[extension]) || 'image/jpeg';
}
