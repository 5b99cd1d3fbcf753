export {
  type Admission,
  createTenantLimits,
  type TenantLimitsStore,
  type TenantUsage,
} from './create-tenant-limits.ts';
