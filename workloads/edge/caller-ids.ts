// Outbound caller-ID rotation: carriers block numbers that place many unanswered calls, and a blocked
// number shows up as a sudden drop in its answer rate. This decides, from each number's answer figures
// over its last window of calls, which numbers stay in use, which rest (and why, until when), and which
// number the next outbound call uses. Pure: the caller keeps the figures and the clock.
import type { Trunk } from '../../crds/types.ts'

type CallerIdPool = NonNullable<Trunk['spec']['callerIds']>
export type CallerIdStatus = NonNullable<NonNullable<Trunk['status']>['callerIds']>[number]

/** Calls placed with a number and how many were answered, over its most recent calls (at most windowCalls). */
export interface CallerIdFigures {
  number: string
  calls: number
  answered: number
}

export interface CallerIdDecisionInput {
  pool: CallerIdPool
  figures: readonly CallerIdFigures[]
  /** The current Trunk status.callerIds (resting numbers and until when). */
  previous?: readonly CallerIdStatus[]
  /** The number the last outbound call used; the next one follows it in pool order. */
  lastUsed?: string
  now: Date
}

export interface CallerIdDecision {
  callerIds: CallerIdStatus[]
  /** The number for the next outbound call; undefined when the pool has no number in use. */
  next: string | undefined
  /** Numbers that just came back from rest: their figures must start afresh. */
  resetFigures: string[]
}

export const ROTATION_DEFAULTS = { windowCalls: 200, restSeconds: 86400 } as const

function answerPercent(figures: CallerIdFigures | undefined): number | undefined {
  if (!figures || figures.calls <= 0) return undefined
  return Math.round((Math.min(figures.answered, figures.calls) * 100) / figures.calls)
}

function restDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`
  if (seconds % 3600 === 0) return `${seconds / 3600} h`
  if (seconds % 60 === 0) return `${seconds / 60} min`
  return `${seconds} s`
}

export function decideCallerIds(input: CallerIdDecisionInput): CallerIdDecision {
  const { pool, now } = input
  const rotation = pool.rotation
  const windowCalls = rotation?.windowCalls ?? ROTATION_DEFAULTS.windowCalls
  const restSeconds = rotation?.restSeconds ?? ROTATION_DEFAULTS.restSeconds
  const figuresOf = new Map(input.figures.map((f) => [f.number, f]))
  const previousOf = new Map((input.previous ?? []).map((p) => [p.number, p]))
  const resetFigures: string[] = []

  const callerIds = pool.numbers.map((number): CallerIdStatus => {
    const figures = figuresOf.get(number)
    const percent = answerPercent(figures)
    const previous = previousOf.get(number)
    if (previous?.state === 'Resting' && previous.until !== undefined && Date.parse(previous.until) > now.getTime()) {
      return previous
    }
    if (previous?.state === 'Resting') {
      resetFigures.push(number)
      return { number, state: 'InUse' }
    }
    const judged = rotation !== undefined && figures !== undefined && percent !== undefined && figures.calls >= windowCalls
    if (judged && figures.answered * 100 < rotation.minimumAnswerPercent * figures.calls) {
      return {
        number,
        state: 'Resting',
        answerPercent: percent,
        reason: `${percent}% of its last ${figures.calls} calls were answered, below the minimum of ${rotation.minimumAnswerPercent}%: carriers may be blocking it; resting for ${restDuration(restSeconds)}`,
        until: new Date(now.getTime() + restSeconds * 1000).toISOString(),
      }
    }
    return percent === undefined ? { number, state: 'InUse' } : { number, state: 'InUse', answerPercent: percent }
  })

  const inUse = callerIds.filter((c) => c.state === 'InUse').map((c) => c.number)
  const after = input.lastUsed === undefined ? -1 : pool.numbers.indexOf(input.lastUsed)
  const next = [...pool.numbers.slice(after + 1), ...pool.numbers.slice(0, after + 1)].find((n) => inUse.includes(n))
  return { callerIds, next, resetFigures }
}
