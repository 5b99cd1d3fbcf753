export {
  type AcquireInput,
  type AcquireResult,
  createQuota,
  type LimitUsage,
  type Quota,
  type QuotaLimit,
  type ReleaseInput,
  type SettleInput,
  type TightenInput,
} from './create-quota.ts';
