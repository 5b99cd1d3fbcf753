import type { WireFormatKind } from '../sim-config.ts';
import { anthropicFormat } from './anthropic-format.ts';
import { geminiFormat } from './gemini-format.ts';
import { openaiFormat } from './openai-format.ts';
import type { WireFormat } from './wire-format.ts';

export const WIRE_FORMAT_BY_KIND: Record<WireFormatKind, WireFormat> = {
  openai: openaiFormat,
  anthropic: anthropicFormat,
  gemini: geminiFormat,
};

/** The path prefix after `/{providerId}` that an SDK's base URL includes. */
export const BASE_PATH_BY_KIND: Record<WireFormatKind, string> = {
  openai: '/v1',
  anthropic: '',
  gemini: '/v1beta',
};
