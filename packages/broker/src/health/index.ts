export {
  type BreakerStatus,
  type CreateHealthOptions,
  createHealth,
  DEFAULT_HEALTH_OPTIONS,
  type Health,
  type HealthOptions,
  PROVIDER_FAILURES,
  type ProbeResult,
  type ProviderHealth,
} from './create-health.ts';
