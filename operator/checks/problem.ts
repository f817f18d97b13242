// A problem the CRD schema cannot catch because it spans objects; it becomes Ready=False with this
// reason and message, plus an Event.

export interface Problem {
  /** CamelCase reason for the Ready condition and the Event. */
  reason: string
  /** What is wrong and where, in words a person acts on. */
  message: string
}

export function summarize(problems: readonly Problem[]): Problem | undefined {
  const [first] = problems
  if (!first) return undefined
  if (problems.length === 1) return first
  return { reason: first.reason, message: problems.map((p) => p.message).join('; ') }
}
