import { describe, expect, it } from 'vitest';
import { findExhaustedQuota, windowNamedIn } from './find-exhausted-quota.ts';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const headers = (values: Record<string, string>) => new Headers(values);

describe('findExhaustedQuota', () => {
  it('is undefined when no quota is spent', () => {
    expect(findExhaustedQuota(headers({ 'x-ratelimit-remaining-requests': '3' }), NOW)).toBeUndefined();
    expect(findExhaustedQuota(headers({}), NOW)).toBeUndefined();
  });

  it("takes Cerebras' window from the header name, whatever the reset", () => {
    const spent = headers({
      'x-ratelimit-remaining-requests-day': '0',
      'x-ratelimit-reset-requests-day': '33.5',
      'x-ratelimit-remaining-tokens-minute': '1200',
    });
    expect(findExhaustedQuota(spent, NOW)).toEqual({ scope: 'day', resetAt: NOW + 33_500 });
    const minute = headers({
      'x-ratelimit-remaining-tokens-minute': '0',
      'x-ratelimit-reset-tokens-minute': '12',
    });
    expect(findExhaustedQuota(minute, NOW)).toEqual({ scope: 'minute', resetAt: NOW + 12_000 });
  });

  it('without a window in the name, a reset past a minute is a day and within a minute a minute', () => {
    const groq = headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2m59.56s' });
    expect(findExhaustedQuota(groq, NOW)).toEqual({ scope: 'day', resetAt: NOW + 179_560 });
    const openai = headers({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '7.66s' });
    expect(findExhaustedQuota(openai, NOW)).toEqual({ scope: 'minute', resetAt: NOW + 7_660 });
  });

  it('reads OpenRouter epoch-millisecond resets and Anthropic RFC 3339 resets; the latest spent quota wins', () => {
    const openRouter = headers({
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(NOW + 3_600_000),
    });
    expect(findExhaustedQuota(openRouter, NOW)).toEqual({ scope: 'day', resetAt: NOW + 3_600_000 });
    const anthropic = headers({
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': '2026-12-02T10:00:05Z',
      'anthropic-ratelimit-output-tokens-remaining': '0',
      'anthropic-ratelimit-output-tokens-reset': '2026-12-02T10:00:40Z',
    });
    expect(findExhaustedQuota(anthropic, NOW)).toEqual({ scope: 'minute', resetAt: NOW + 40_000 });
  });

  it('a spent quota without a reset has a scope only from its name', () => {
    expect(findExhaustedQuota(headers({ 'x-ratelimit-remaining-requests-day': '0' }), NOW)).toEqual({
      scope: 'day',
    });
    expect(findExhaustedQuota(headers({ 'x-ratelimit-remaining-requests': '0' }), NOW)).toEqual({
      scope: 'minute',
    });
  });
});

describe('windowNamedIn', () => {
  it.each([
    ['on requests per day (RPD): Limit 1000', 'day'],
    ['Rate limit exceeded: free-models-per-day. Add 10 credits', 'day'],
    ['on tokens per min (TPM): Limit 6000', 'minute'],
    ['of 50,000 input tokens per minute', 'minute'],
    ['Rate limit exceeded: free-models-per-min.', 'minute'],
    ['monthly spend limit reached', 'month'],
    ['Requests rate limit exceeded', undefined],
  ])('%s -> %s', (message, scope) => {
    expect(windowNamedIn(message)).toBe(scope);
  });
});
