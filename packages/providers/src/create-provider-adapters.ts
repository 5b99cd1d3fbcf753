import type { ProviderAdapter } from '@switchyard/spec';
import { redactHeaderValues } from './common/redact-header-values.ts';
import { type CreateAdapterOptions, createAdapter } from './create-adapter.ts';

/** One adapter per configured provider (the configuration's providers), by provider id. */
export function createProviderAdapters(
  providers: readonly CreateAdapterOptions[],
): Map<string, ProviderAdapter> {
  return new Map(
    providers.map((provider) => [
      provider.id,
      redactHeaderValues(
        createAdapter({
          id: provider.id,
          kind: provider.kind,
          baseUrl: provider.baseUrl,
          apiKey: provider.apiKey,
          timeoutMs: provider.timeoutMs,
          headers: provider.headers,
        }),
        provider.headers,
      ),
    ]),
  );
}
