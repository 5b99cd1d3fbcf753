export { ConfigError, type ConfigProblem } from './config-error.ts';
export { costOf, type ModelPrice } from './cost-of.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { type KeyGroup, keyFingerprint, keyGroupsOf, type ProviderKey } from './key-pool.ts';
export { configFromEnvironment, loadConfig, parseConfig } from './load-config.ts';
export { parseEnvironment } from './parse-environment.ts';
export type { Preset } from './presets.ts';
export {
  type Config,
  type ConfigInput,
  DATA_POLICIES,
  type DataPolicy,
  type LimitConfig,
  type ModelConfig,
  type ProviderConfig,
  type ProviderInput,
  type RouteConfig,
  type RouteTarget,
  type TenantConfig,
  type Tier,
} from './schema.ts';
export { parseSize } from './size.ts';
export {
  DEFAULT_TENANT_LIMITS,
  type TenantLimits,
  tenantLimitsOf,
  tenantWebhookSecretsOf,
  tenantWeightOf,
} from './tenant-schema.ts';
