import { createHash } from 'node:crypto';

/** One API key of a provider, as the broker uses it. */
export interface ProviderKey {
  apiKey: string;
  /** The first 8 hex digits of the key's SHA-256: how logs and `/v1/providers` name it. */
  fingerprint: string;
  /** Keys in one group share their quota counters and backoff; default: the fingerprint. */
  quotaGroup: string;
}

/** Keys that share one set of quota counters (one account or project at the provider). */
export interface KeyGroup {
  /** What the quota, backoff and tightening of the group are kept under: `<provider>#<group>`. */
  quotaId: string;
  name: string;
  keys: ProviderKey[];
}

export function keyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 8);
}

/**
 * The quota groups of a provider with a key pool (two keys or more), in the order their keys
 * are configured; undefined for a provider with one key or none, whose quota is kept under
 * its id as it always was.
 */
export function keyGroupsOf(provider: { id: string; keys: readonly ProviderKey[] }): KeyGroup[] | undefined {
  if (provider.keys.length < 2) return undefined;
  const groups = new Map<string, KeyGroup>();
  for (const key of provider.keys) {
    let group = groups.get(key.quotaGroup);
    if (!group) {
      group = { quotaId: `${provider.id}#${key.quotaGroup}`, name: key.quotaGroup, keys: [] };
      groups.set(key.quotaGroup, group);
    }
    group.keys.push(key);
  }
  return [...groups.values()];
}
