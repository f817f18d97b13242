// Service level over a sliding window: the share of calls offered to a group that were answered within
// spec.serviceLevel.withinSeconds. "Offered" counts every call that finished waiting in the group in the
// window: answered, abandoned (the caller hung up while queued or ringing) or overflowed elsewhere.
export type OutcomeKind = 'answered' | 'abandoned' | 'overflowed'

export interface Outcome {
  /** When the call stopped waiting in the group. */
  at: number
  waitedMs: number
  kind: OutcomeKind
}

export interface ServiceLevelFigures {
  offered: number
  answered: number
  answeredWithinThreshold: number
  abandoned: number
  overflowed: number
  /** Rounded down to a whole percent; null when nothing was offered in the window. */
  percent: number | null
}

export const DEFAULT_SERVICE_LEVEL_WINDOW_MS = 15 * 60 * 1000

export function serviceLevel(outcomes: Iterable<Outcome>, now: number, windowMs: number, withinSeconds: number): ServiceLevelFigures {
  const figures: ServiceLevelFigures = { offered: 0, answered: 0, answeredWithinThreshold: 0, abandoned: 0, overflowed: 0, percent: null }
  for (const outcome of outcomes) {
    if (outcome.at <= now - windowMs || outcome.at > now) continue
    figures.offered++
    if (outcome.kind === 'answered') {
      figures.answered++
      if (outcome.waitedMs <= withinSeconds * 1000) figures.answeredWithinThreshold++
    } else if (outcome.kind === 'abandoned') figures.abandoned++
    else figures.overflowed++
  }
  if (figures.offered > 0) figures.percent = Math.floor((100 * figures.answeredWithinThreshold) / figures.offered)
  return figures
}

/** The outcomes of one group, oldest first, trimmed to the window. */
export class OutcomeWindow {
  readonly outcomes: Outcome[] = []
  readonly windowMs: number

  constructor(windowMs: number) {
    this.windowMs = windowMs
  }

  add(outcome: Outcome): void {
    this.outcomes.push(outcome)
  }

  trim(now: number): void {
    let expired = 0
    while (expired < this.outcomes.length && (this.outcomes[expired]?.at ?? now) <= now - this.windowMs) expired++
    if (expired > 0) this.outcomes.splice(0, expired)
  }
}
