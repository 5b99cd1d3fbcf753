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
  type Tightening,
  UNEXPECTED_429,
} from './create-quota.ts';
export { isFixedWindow, windowLabelOf, windowLengthMs } from './limit-arguments.ts';
export { providerUsage } from './pool-usage.ts';
