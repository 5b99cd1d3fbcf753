import { type ProviderAdapter, ProviderError } from '@switchyard/spec';
import { describe, expect, it } from 'vitest';
import { redactHeaderValues } from './redact-header-values.ts';

const SECRET = 'sk-helicone-0123456789abcdef';

function failingAdapter(error: ProviderError): ProviderAdapter {
  return {
    id: 'proxied',
    kind: 'openai',
    generate: () => Promise.reject(error),
  };
}

describe('redactHeaderValues', () => {
  it('redacts the header values and keeps everything else the error says, the spent quota included', async () => {
    const original = new ProviderError({
      outcome: 'quota_exhausted',
      provider: 'proxied',
      message: `proxied: HTTP 429 quota_exhausted: bad header ${SECRET}`,
      statusCode: 429,
      retryAfterMs: 180_000,
      exhausted: { scope: 'day', resetAt: 1_796_342_400_000, model: 'model-a' },
      responseBody: `{"error":"${SECRET}"}`,
    });
    const adapter = redactHeaderValues(failingAdapter(original), { 'Helicone-Auth': SECRET });

    const error = await adapter
      .generate({ model: 'model-a', messages: [] })
      .catch((caught: unknown) => caught);

    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      outcome: 'quota_exhausted',
      statusCode: 429,
      retryAfterMs: 180_000,
      exhausted: { scope: 'day', resetAt: 1_796_342_400_000, model: 'model-a' },
      message: 'proxied: HTTP 429 quota_exhausted: bad header [redacted]',
      responseBody: '{"error":"[redacted]"}',
    });
  });
});
