// The figures every fault suite prints as one JSON line (never asserted: speed depends on the machine):
// fault -> detection (confirmed), flip, re-login p99, calls lost, read from the failover's timeline in
// the Site's status and from the agents' own desktops.
import type { Site } from '../../crds/types.ts'
import type { Relogins } from '../sites/agents.ts'

type Timeline = NonNullable<NonNullable<Site['status']>['lastFailover']>

export interface FaultFigures {
  fault: string
  /** ms from the injected fault to the confirmed failure; null when nothing was failed over. */
  detectionMs: number | null
  /** ms from the injected fault to the edges' flip. */
  flipMs: number | null
  /** p99 of the moved agents' re-login times, as the operator recorded them (from the fault it saw). */
  reloginP99Ms: number | null
  /** p99 of the same, measured at the agents' desktops from the injected fault. */
  desktopReloginP99Ms: number | null
  /** Calls in progress to the failed site when it failed (the operator's count at the edges). */
  callsLost: number | null
  /** Calls placed at the survivor after the flip that did not complete. */
  callsFailedAfterFlip: number
  [extra: string]: unknown
}

const since = (stamp: string | undefined, from: number): number | null => (stamp === undefined ? null : Date.parse(stamp) - from)

export function faultFigures(
  fault: string,
  faultAt: number,
  timeline: Timeline | undefined,
  relogins: Relogins | undefined,
  callsFailedAfterFlip: number,
  extra: Record<string, unknown> = {},
): FaultFigures {
  return {
    fault,
    detectionMs: since(timeline?.confirmed, faultAt),
    flipMs: since(timeline?.flipped, faultAt),
    reloginP99Ms: timeline?.reloginMilliseconds?.p99 ?? null,
    desktopReloginP99Ms: relogins === undefined || relogins.times.length === 0 ? null : relogins.figures.p99,
    callsLost: timeline?.callsLost ?? null,
    callsFailedAfterFlip,
    ...extra,
  }
}

/** One line, prefixed so a reader of the test output can grep the table out of it. */
export function printFigures(figures: FaultFigures): void {
  console.log(`fault-figures ${JSON.stringify(figures)}`)
}
