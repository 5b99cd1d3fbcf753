/**
 * The fields of the usage hashes (their keys: `usageDay`, `usageTenantDay` and `usageMonth`
 * in keys.ts). Fields are `<group>:<name>:<metric>` (or `total:<metric>`), names URI-encoded
 * so that a `:` in a model or tenant name is harmless.
 */
export const USAGE_TTL_SECONDS = 400 * 86_400;

export const METRICS = ['cost', 'ref', 'in', 'out', 'req'] as const;
export type Metric = (typeof METRICS)[number];

/** The start every field of one group and name shares: `total:` or `<group>:<name>:`. */
export function fieldPrefix(group: 'total' | 'provider' | 'route' | 'tenant', name: string): string {
  return group === 'total' ? 'total:' : `${group}:${encodeURIComponent(name)}:`;
}

export function field(
  group: 'total' | 'provider' | 'route' | 'tenant',
  name: string,
  metric: Metric,
): string {
  return fieldPrefix(group, name) + metric;
}

/** `[group, name, metric]` of a field, or undefined for a field of another shape. */
export function parseField(text: string): [string, string, Metric] | undefined {
  const parts = text.split(':');
  if (parts.length === 2 && parts[0] === 'total') return ['total', '', parts[1] as Metric];
  if (parts.length !== 3) return undefined;
  return [parts[0]!, decodeURIComponent(parts[1]!), parts[2] as Metric];
}
