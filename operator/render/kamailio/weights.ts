// Splitting a whole-number share between destinations so that the parts still add up to the share.

/** Splits `total` into `parts` whole numbers that differ by at most one; the larger ones come first. */
export function splitEvenly(total: number, parts: number): number[] {
  if (parts <= 0) return []
  const base = Math.floor(total / parts)
  const remainder = total - base * parts
  return Array.from({ length: parts }, (_, index) => base + (index < remainder ? 1 : 0))
}
