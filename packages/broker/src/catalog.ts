import {
  type Config,
  type KeyGroup,
  keyGroupsOf,
  type ModelConfig,
  type ProviderConfig,
} from '@switchyard/config';
import type { PlanTarget } from './job.ts';
import type { QuotaLimit } from './quota/index.ts';

/** Lookups in the configuration's providers and models. */
export interface Catalog {
  provider(id: string): ProviderConfig;
  model(target: PlanTarget): ModelConfig;
  /** Every request and token limit that applies to a target: its provider's, then its model's. */
  limitsOf(target: PlanTarget): QuotaLimit[];
  /**
   * The groups of a provider's key pool, each with its own quota counters and backoff (see
   * `keyGroupsOf`); undefined for a provider with one key or none.
   */
  keyGroups(providerId: string): KeyGroup[] | undefined;
  /** `scheduling.defaultMaxTokens`: the output limit of calls that have no other. */
  readonly defaultMaxTokens: number;
}

export function createCatalog(config: Config): Catalog {
  const providers = new Map(config.providers.map((provider) => [provider.id, provider]));
  const pools = new Map(config.providers.map((provider) => [provider.id, keyGroupsOf(provider)]));

  function provider(id: string): ProviderConfig {
    const found = providers.get(id);
    if (!found) throw new Error(`unknown provider ${id}`);
    return found;
  }

  function model(target: PlanTarget): ModelConfig {
    const found = provider(target.provider).models.find((candidate) => candidate.name === target.model);
    if (!found) throw new Error(`unknown model ${target.provider}/${target.model}`);
    return found;
  }

  return {
    provider,
    model,
    keyGroups: (providerId) => pools.get(providerId),
    defaultMaxTokens: config.scheduling.defaultMaxTokens,
    limitsOf: (target) => [
      ...provider(target.provider).limits.map((limit) => ({ scope: 'provider', ...limit })),
      ...model(target).limits.map((limit) => ({ scope: target.model, ...limit })),
    ],
  };
}
