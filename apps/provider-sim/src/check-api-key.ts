import { keyAccount, type ProviderCall, type ProviderState } from './provider-state.ts';
import type { SimError } from './wire/wire-format.ts';

/**
 * The auth error for this call, or undefined when the provider needs no key or the key is
 * `apiKey` or one of `apiKeys` (whose calls are then counted on that key's own counters).
 */
export function checkApiKey(state: ProviderState, call: ProviderCall): SimError | undefined {
  const { apiKey, apiKeys = [] } = state.config;
  if (apiKey === undefined && apiKeys.length === 0) return undefined;
  const key = state.format.readApiKey(call.request.headers, call.query);
  if (key === undefined || key === '') return { kind: 'missing-key' };
  if (key === apiKey) return undefined;
  const entry = apiKeys.find(
    (candidate) => (typeof candidate === 'string' ? candidate : candidate.key) === key,
  );
  if (entry === undefined) return { kind: 'bad-key', key };
  call.account = keyAccount(state, typeof entry === 'string' ? `key:${entry}` : `account:${entry.account}`);
  return undefined;
}
