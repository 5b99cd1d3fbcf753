import type { ProviderConfig } from '@switchyard/config';
import { createAdapter } from '@switchyard/providers';
import type { ProviderAdapter } from '@switchyard/spec';

/** One adapter per configured provider, by provider id. */
export function createProviderAdapters(providers: readonly ProviderConfig[]): Map<string, ProviderAdapter> {
  return new Map(
    providers.map((provider) => [
      provider.id,
      createAdapter({
        id: provider.id,
        kind: provider.kind,
        baseUrl: provider.baseUrl,
        apiKey: provider.apiKey,
        timeoutMs: provider.timeoutMs,
        headers: provider.headers,
      }),
    ]),
  );
}
