import { keyAdapterId, type ProviderAdapter } from '@switchyard/spec';
import { redactHeaderValues } from './common/redact-header-values.ts';
import { type CreateAdapterOptions, createAdapter } from './create-adapter.ts';

/** A configured provider: its adapter options and, for a key pool, every key. */
export interface ConfiguredProvider extends CreateAdapterOptions {
  keys?: readonly { apiKey: string; fingerprint: string }[];
}

/**
 * One adapter per configured provider (the configuration's providers), by provider id, calling
 * with its first key; a provider with several keys also has one adapter per key, by
 * `keyAdapterId` (each redacts its own key from errors, and every one carries the provider id).
 */
export function createProviderAdapters(
  providers: readonly ConfiguredProvider[],
): Map<string, ProviderAdapter> {
  const adapters = new Map<string, ProviderAdapter>();
  for (const provider of providers) {
    const adapterFor = (apiKey: string | undefined) =>
      redactHeaderValues(
        createAdapter({
          id: provider.id,
          kind: provider.kind,
          baseUrl: provider.baseUrl,
          apiKey,
          timeoutMs: provider.timeoutMs,
          headers: provider.headers,
        }),
        provider.headers,
      );
    adapters.set(provider.id, adapterFor(provider.apiKey));
    if ((provider.keys?.length ?? 0) < 2) continue;
    for (const key of provider.keys!)
      adapters.set(keyAdapterId(provider.id, key.fingerprint), adapterFor(key.apiKey));
  }
  return adapters;
}
