// The one percentile rule of the benches: nearest rank over values sorted ascending (the smallest
// value with at least p % of the values at or below it); NaN when there are none.
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Sorted ascending, as numbers (not as strings, which Array#sort would do). */
export function sortedAscending(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}
