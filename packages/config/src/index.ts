export { ConfigError, type ConfigProblem, formatPath } from './config-error.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { configFromEnvironment, loadConfig, parseConfig } from './load-config.ts';
export { parseEnvironment } from './parse-environment.ts';
export { PRESETS, type Preset, presetsFromEnv } from './presets.ts';
export {
  type Config,
  type ConfigInput,
  ConfigSchema,
  DATA_POLICIES,
  type DataPolicy,
  DEFAULT_BASE_URLS,
  type LimitConfig,
  type ModelConfig,
  PROVIDER_KINDS,
  type ProviderConfig,
  type ProviderInput,
  ROUTE_STRATEGIES,
  type RouteConfig,
  type RouteTarget,
  TIERS,
  type Tier,
} from './schema.ts';
