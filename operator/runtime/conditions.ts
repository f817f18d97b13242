// Standard conditions: one per type, observedGeneration set, lastTransitionTime kept while the status
// stays the same so that a resync does not rewrite it.

export interface Condition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  observedGeneration?: number
  lastTransitionTime: string
  reason: string
  message: string
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>

export function setConditions(
  existing: readonly Condition[] | undefined,
  wanted: readonly ConditionInput[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  return wanted.map((condition) => {
    const previous = existing?.find((c) => c.type === condition.type)
    const lastTransitionTime =
      previous && previous.status === condition.status ? previous.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z')
    return { ...condition, observedGeneration: generation ?? 0, lastTransitionTime }
  })
}
