// Pure: nearest-rank percentiles of a list of durations (re-login times, benchmark latencies): the
// p-th percentile is the value at rank ceil(p/100 × n) of the sorted list.

export interface Percentiles {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
}

export function nearestRank(sortedAscending: readonly number[], percent: number): number {
  if (sortedAscending.length === 0) throw new RangeError('no values')
  const rank = Math.max(1, Math.ceil((percent / 100) * sortedAscending.length))
  return sortedAscending[rank - 1] as number
}

/** All zero for an empty list. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  return {
    count: sorted.length,
    p50: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    max: sorted.at(-1) ?? 0,
  }
}
