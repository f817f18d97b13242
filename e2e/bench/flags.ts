// Command-line figures of the benchmarks: comma-separated whole numbers, refused with the flag's name.
export function wholeNumbers(text: string, flag: string, minimum: number): number[] {
  const numbers = text.split(',').map((part) => Number(part.trim()))
  const bad = numbers.find((n) => !Number.isInteger(n) || n < minimum)
  if (bad !== undefined) throw new Error(`--${flag} must be whole numbers of at least ${minimum}, separated by commas; got "${text}"`)
  return numbers
}
