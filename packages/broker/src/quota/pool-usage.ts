import type { KeyGroup } from '@switchyard/config';
import type { LimitUsage, Quota, QuotaLimit } from './create-quota.ts';

/**
 * Per limit, the usage of a whole provider: its own counters, or for a key pool the sum over
 * its groups of keys (used and remaining added up; reset: the soonest a group's counts start
 * to leave), so that the pool reads as one provider with the capacity of all its groups.
 */
export async function providerUsage(
  quota: Quota,
  input: { provider: string; groups: readonly KeyGroup[] | undefined; limits: QuotaLimit[] },
): Promise<LimitUsage[]> {
  const { provider, groups, limits } = input;
  if (limits.length === 0) return [];
  if (!groups) return quota.usage({ provider, limits });
  const perGroup = await Promise.all(groups.map((group) => quota.usage({ provider: group.quotaId, limits })));
  return limits.map((_limit, index) => {
    const rows = perGroup.map((usage) => usage[index]!);
    const resets = rows.filter((row) => row.resetMs > 0).map((row) => row.resetMs);
    return {
      used: rows.reduce((sum, row) => sum + row.used, 0),
      remaining: rows.reduce((sum, row) => sum + row.remaining, 0),
      resetMs: resets.length > 0 ? Math.min(...resets) : 0,
    };
  });
}
