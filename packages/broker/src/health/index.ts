export {
  type BreakerStatus,
  type CreateHealthOptions,
  createHealth,
  DEFAULT_HEALTH_OPTIONS,
  type Health,
  type HealthOptions,
  type ProbeResult,
  type ProviderHealth,
} from './create-health.ts';
