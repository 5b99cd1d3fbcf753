import type { ProviderCall, ProviderState } from './provider-state.ts';
import type { SimError } from './wire/wire-format.ts';

/** The auth error for this call, or undefined when the provider needs no key or the key matches. */
export function checkApiKey(state: ProviderState, call: ProviderCall): SimError | undefined {
  const expected = state.config.apiKey;
  if (expected === undefined) return undefined;
  const key = state.format.readApiKey(call.request.headers, call.query);
  if (key === undefined || key === '') return { kind: 'missing-key' };
  return key === expected ? undefined : { kind: 'bad-key', key };
}
