import type { FinishReason } from '@switchyard/spec';

/** Finish reasons that mean a safety or policy filter stopped the candidate. */
const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

/** generateContent `finishReason` -> our finish reason; unknown values become `other`. */
export function mapGeminiFinishReason(finishReason: unknown): FinishReason {
  if (finishReason === 'STOP') return 'stop';
  if (finishReason === 'MAX_TOKENS') return 'length';
  if (typeof finishReason === 'string' && FILTERED.has(finishReason)) return 'content_filter';
  return 'other';
}
