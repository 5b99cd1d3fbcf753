const UNIT_BYTES = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 } as const;
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)$/i;

/**
 * Parses a size such as `500MB`, `1GB`, `1.5GB` or `4096B` into bytes (binary units: 1 KB is
 * 1024 bytes, as the upload limits count). Returns undefined for anything else.
 */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * UNIT_BYTES[match[2]!.toUpperCase() as keyof typeof UNIT_BYTES];
  return Number.isFinite(bytes) && bytes >= 1 ? Math.round(bytes) : undefined;
}
