/** Nearest-rank quantile (`q` in 0..1) of values sorted ascending; NaN for an empty list. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function sortNumbers(values: readonly number[]): number[] {
  return [...values].sort((left, right) => left - right);
}
