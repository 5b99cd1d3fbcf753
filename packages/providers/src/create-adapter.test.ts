import type { ProviderKind } from '@switchyard/spec';
import { describe, expect, it } from 'vitest';
import { createAdapter } from './create-adapter.ts';

describe('createAdapter', () => {
  it.each<ProviderKind>(['openai', 'anthropic', 'gemini'])('builds a %s adapter', (kind) => {
    const adapter = createAdapter({
      id: `${kind}-1`,
      kind,
      baseUrl: 'http://127.0.0.1:1/',
      timeoutMs: 1_000,
    });

    expect(adapter).toMatchObject({ id: `${kind}-1`, kind });
    expect(typeof adapter.generate).toBe('function');
  });

  it('rejects an unknown kind', () => {
    expect(() =>
      createAdapter({
        id: 'x',
        kind: 'cohere' as ProviderKind,
        baseUrl: 'http://127.0.0.1:1',
        timeoutMs: 1_000,
      }),
    ).toThrow('unknown provider kind: cohere');
  });
});
