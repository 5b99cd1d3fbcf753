import type { RateLimitHint } from '@switchyard/spec';
import { describe, expect, it } from 'vitest';
import { isEmptyRateLimitHint, parseRateLimitHeaders } from './parse-rate-limit-headers.ts';
import { retryAfterFromResets } from './retry-after-from-resets.ts';

const NOW = Date.parse('2025-08-21T12:40:00Z');

describe('parseRateLimitHeaders', () => {
  it.each<[string, Record<string, string>, RateLimitHint]>([
    ['no rate-limit headers', { 'content-type': 'application/json' }, {}],
    [
      'OpenAI (durations like 6m0s and 12ms)',
      {
        'x-ratelimit-limit-requests': '5000',
        'x-ratelimit-remaining-requests': '4999',
        'x-ratelimit-reset-requests': '12ms',
        'x-ratelimit-limit-tokens': '160000',
        'x-ratelimit-remaining-tokens': '159976',
        'x-ratelimit-reset-tokens': '6m0s',
        'x-ratelimit-limit-tokens_usage_based': '160000',
      },
      {
        requests: { limit: 5000, remaining: 4999, resetMs: 12 },
        tokens: { limit: 160000, remaining: 159976, resetMs: 360_000 },
      },
    ],
    [
      'Groq 429 (day-sized request window, 7.66s token reset, retry-after)',
      {
        'retry-after': '8',
        'x-ratelimit-limit-requests': '14400',
        'x-ratelimit-remaining-requests': '14370',
        'x-ratelimit-reset-requests': '2m59.56s',
        'x-ratelimit-limit-tokens': '6000',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '7.66s',
      },
      {
        retryAfterMs: 8_000,
        requests: { limit: 14400, remaining: 14370, resetMs: 179_560 },
        tokens: { limit: 6000, remaining: 0, resetMs: 7_660 },
      },
    ],
    [
      'Cerebras (-day / -minute windows, plain seconds)',
      {
        'x-ratelimit-limit-requests-day': '14400',
        'x-ratelimit-remaining-requests-day': '14377',
        'x-ratelimit-reset-requests-day': '33011.382867097855',
        'x-ratelimit-limit-tokens-minute': '60000',
        'x-ratelimit-remaining-tokens-minute': '58298',
        'x-ratelimit-reset-tokens-minute': '11.382867097854614',
      },
      {
        requests: { limit: 14400, remaining: 14377, resetMs: 33_011_383 },
        tokens: { limit: 60000, remaining: 58298, resetMs: 11_383 },
      },
    ],
    [
      'OpenRouter (bare headers, reset as epoch milliseconds)',
      {
        'x-ratelimit-limit': '20',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(NOW + 42_000),
      },
      { requests: { limit: 20, remaining: 0, resetMs: 42_000 } },
    ],
    [
      'Anthropic (RFC 3339 resets; output tokens are the most constrained)',
      {
        'anthropic-ratelimit-requests-limit': '1000',
        'anthropic-ratelimit-requests-remaining': '999',
        'anthropic-ratelimit-requests-reset': '2025-08-21T12:40:01Z',
        'anthropic-ratelimit-tokens-limit': '96000',
        'anthropic-ratelimit-tokens-remaining': '90000',
        'anthropic-ratelimit-tokens-reset': '2025-08-21T12:40:05Z',
        'anthropic-ratelimit-input-tokens-limit': '80000',
        'anthropic-ratelimit-input-tokens-remaining': '79000',
        'anthropic-ratelimit-input-tokens-reset': '2025-08-21T12:40:04Z',
        'anthropic-ratelimit-output-tokens-limit': '16000',
        'anthropic-ratelimit-output-tokens-remaining': '2000',
        'anthropic-ratelimit-output-tokens-reset': '2025-08-21T12:40:52Z',
      },
      {
        requests: { limit: 1000, remaining: 999, resetMs: 1_000 },
        tokens: { limit: 16000, remaining: 2000, resetMs: 52_000 },
      },
    ],
    [
      'Anthropic 429 (exhausted input tokens, retry-after seconds)',
      {
        'retry-after': '12',
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': '2025-08-21T12:40:02Z',
        'anthropic-ratelimit-input-tokens-limit': '50000',
        'anthropic-ratelimit-input-tokens-remaining': '0',
        'anthropic-ratelimit-input-tokens-reset': '2025-08-21T12:40:12Z',
        'anthropic-ratelimit-output-tokens-limit': '10000',
        'anthropic-ratelimit-output-tokens-remaining': '10000',
        'anthropic-ratelimit-output-tokens-reset': '2025-08-21T12:40:00Z',
      },
      {
        retryAfterMs: 12_000,
        requests: { limit: 50, remaining: 49, resetMs: 2_000 },
        tokens: { limit: 50000, remaining: 0, resetMs: 12_000 },
      },
    ],
    [
      'reset in the past clamps to 0; unparsable values are dropped',
      {
        'anthropic-ratelimit-requests-limit': 'many',
        'anthropic-ratelimit-requests-remaining': '3',
        'anthropic-ratelimit-requests-reset': '2025-08-21T12:39:00Z',
        'x-ratelimit-reset-tokens': 'later',
      },
      { requests: { remaining: 3, resetMs: 0 } },
    ],
    [
      'retry-after-ms and an HTTP-date retry-after',
      { 'retry-after-ms': '1500', 'retry-after': 'Thu, 21 Aug 2025 12:41:00 GMT' },
      { retryAfterMs: 1_500 },
    ],
    [
      'an HTTP-date retry-after',
      { 'retry-after': 'Thu, 21 Aug 2025 12:41:00 GMT' },
      { retryAfterMs: 60_000 },
    ],
  ])('%s', (_name, headers, expected) => {
    expect(parseRateLimitHeaders(new Headers(headers), NOW)).toEqual(expected);
  });

  it('reports an empty hint as empty', () => {
    expect(isEmptyRateLimitHint(parseRateLimitHeaders(new Headers(), NOW))).toBe(true);
    expect(isEmptyRateLimitHint({ retryAfterMs: 0 })).toBe(false);
  });
});

describe('retryAfterFromResets', () => {
  it.each<[string, RateLimitHint, number | undefined]>([
    ['no resets', { requests: { remaining: 0 } }, undefined],
    [
      'the exhausted quota decides',
      { requests: { remaining: 10, resetMs: 500 }, tokens: { remaining: 0, resetMs: 7_660 } },
      7_660,
    ],
    [
      'both exhausted: the later reset',
      { requests: { remaining: 0, resetMs: 60_000 }, tokens: { remaining: 0, resetMs: 7_660 } },
      60_000,
    ],
    [
      'none exhausted: the earliest reset',
      { requests: { remaining: 3, resetMs: 33_011_383 }, tokens: { remaining: 100, resetMs: 11_383 } },
      11_383,
    ],
  ])('%s', (_name, hint, expected) => {
    expect(retryAfterFromResets(hint)).toBe(expected);
  });
});
