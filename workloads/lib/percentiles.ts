// Pure: nearest-rank percentiles of a list of durations (re-login times, benchmark latencies).

export interface Percentiles {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
  return { count: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted.at(-1) ?? 0 }
}
