import type { WireFormatKind } from './sim-config.ts';

/** An image in a request: its base64 data when sent inline, and OpenAI's `detail`. */
export interface ImageInput {
  data?: string;
  detail?: string;
}

/** The size assumed for an image whose dimensions the simulator cannot read (a URL, a JPEG). */
const ASSUMED_IMAGE_SIZE = { width: 512, height: 512 } as const;

/**
 * The input tokens one image costs, by each provider's published rule (docs/providers.md):
 * - OpenAI: `detail: low` is 85 tokens; otherwise the image is fitted into 2048x2048, its short
 *   side brought down to 768, and it costs 85 + 170 per 512-pixel tile.
 * - Anthropic: width x height / 750, rounded up, after fitting the long edge into 1568 pixels.
 * - Gemini: 258 when both sides are at most 384 pixels, else 258 per 768x768 tile.
 * The dimensions come from a PNG or GIF header in inline data; any other image is taken to be
 * 512x512 (OpenAI 255, Anthropic 350, Gemini 258 tokens).
 */
export function countImageTokens(format: WireFormatKind, image: ImageInput): number {
  const { width, height } = (image.data && readImageSize(image.data)) || ASSUMED_IMAGE_SIZE;
  switch (format) {
    case 'openai':
      return image.detail === 'low' ? 85 : openaiHighDetailTokens(width, height);
    case 'anthropic': {
      const scale = Math.min(1, 1568 / Math.max(width, height));
      return Math.ceil((Math.round(width * scale) * Math.round(height * scale)) / 750);
    }
    case 'gemini':
      if (width <= 384 && height <= 384) return 258;
      return Math.ceil(width / 768) * Math.ceil(height / 768) * 258;
  }
}

function openaiHighDetailTokens(width: number, height: number): number {
  let scale = Math.min(1, 2048 / Math.max(width, height));
  let scaledWidth = width * scale;
  let scaledHeight = height * scale;
  scale = Math.min(1, 768 / Math.min(scaledWidth, scaledHeight));
  scaledWidth = Math.floor(scaledWidth * scale);
  scaledHeight = Math.floor(scaledHeight * scale);
  return 85 + 170 * Math.ceil(scaledWidth / 512) * Math.ceil(scaledHeight / 512);
}

/** Width and height from the first bytes of a base64 PNG (IHDR) or GIF (logical screen). */
function readImageSize(base64: string): { width: number; height: number } | undefined {
  const bytes = Buffer.from(base64.slice(0, 64), 'base64');
  if (bytes.length >= 24 && bytes.toString('latin1', 1, 4) === 'PNG') {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 10 && bytes.toString('latin1', 0, 3) === 'GIF') {
    return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  return undefined;
}
