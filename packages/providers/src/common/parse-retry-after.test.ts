import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './parse-retry-after.ts';

const NOW = Date.parse('2026-11-20T10:00:00Z');

describe('parseRetryAfter', () => {
  it.each<[string, Record<string, string>, number | undefined]>([
    ['delay-seconds', { 'retry-after': '20' }, 20_000],
    ['fractional seconds', { 'retry-after': '1.5' }, 1_500],
    ['zero', { 'retry-after': '0' }, 0],
    ['HTTP date in the future', { 'retry-after': 'Fri, 20 Nov 2026 10:00:30 GMT' }, 30_000],
    ['HTTP date in the past', { 'retry-after': 'Fri, 20 Nov 2026 09:59:00 GMT' }, 0],
    ['retry-after-ms alone', { 'retry-after-ms': '1234' }, 1_234],
    ['retry-after-ms wins over retry-after', { 'retry-after-ms': '750.4', 'retry-after': '2' }, 750],
    ['unusable retry-after-ms falls back', { 'retry-after-ms': 'soon', 'retry-after': '3' }, 3_000],
    ['garbage', { 'retry-after': 'whenever' }, undefined],
    ['negative seconds', { 'retry-after': '-5' }, undefined],
    ['no header', {}, undefined],
  ])('%s', (_name, headers, expected) => {
    expect(parseRetryAfter(new Headers(headers), NOW)).toBe(expected);
  });
});
