// Pure: what the planned-switchover controller does next, from the spec, the record it keeps in status
// and the world it sees. A Site's spec.traffic Drain or Fenced: every edge stops sending new calls to
// the site and the other sites' login services take its agents over (mode drain: after the current
// call; fence: now). Back to Active: the edges send calls again, unless the site is failed over (then
// the failover controller decides). A SkillGroup's spec.pinnedSite: its agents at the other sites move
// to the pinned site with drain takeovers limited to the group.
import type { Site, SkillGroup } from '../../../crds/types.ts'

export type Traffic = NonNullable<Site['spec']['traffic']>
export type SwitchoverRecord = NonNullable<NonNullable<Site['status']>['plannedSwitchover']>
export type PinningRecord = NonNullable<NonNullable<SkillGroup['status']>['pinning']>
export type PlannedMode = 'drain' | 'fence'

/** A takeover the controller wants to exist: at the login service of `at`, moving the agents of `site`. */
export interface WantedTakeover {
  site: string
  at: string
}

export interface SwitchoverPlan {
  /** The record to carry on with; undefined: the site was never switched over and is Active, nothing to do. */
  record: SwitchoverRecord | undefined
  /** What every acting edge should do with the site's destinations. */
  edges: 'inactive' | 'active' | 'leave'
  mode?: PlannedMode
  /** Takeovers to start (those not in the record yet). */
  start: WantedTakeover[]
  /** A new switchover (or the return to Active) begins with this plan. */
  began: boolean
}

const stamp = (now: Date) => now.toISOString().replace(/\.\d+Z$/, 'Z')

/**
 * @param others the sites whose login services this operator asks to take the agents over (every other
 * site, or with --site only the own one when it is not the drained one).
 */
export function planSwitchover(input: {
  traffic: Traffic
  recorded: SwitchoverRecord | undefined
  failedOver: boolean
  site: string
  others: readonly string[]
  now: Date
}): SwitchoverPlan {
  const { traffic, recorded, failedOver, site, now } = input
  const fresh = recorded?.traffic !== traffic
  if (traffic === 'Active') {
    if (recorded === undefined) return { record: undefined, edges: 'leave', start: [], began: false }
    // The drain's takeovers and figures stay in the record: how the last switchover went.
    const base: SwitchoverRecord = fresh ? { ...recorded, traffic, since: stamp(now), edges: 'Pending' } : recorded
    if (failedOver) return { record: { ...base, edges: 'KeptInactive' }, edges: 'leave', start: [], began: fresh }
    if (base.edges === 'Active') return { record: base, edges: 'leave', start: [], began: false }
    return { record: base, edges: 'active', start: [], began: fresh }
  }
  const record: SwitchoverRecord = fresh ? { traffic, since: stamp(now), edges: 'Pending' } : recorded
  const started = new Set((record.takeovers ?? []).map((t) => t.at))
  return {
    record,
    edges: 'inactive',
    mode: traffic === 'Fenced' ? 'fence' : 'drain',
    start: input.others.filter((at) => at !== site && !started.has(at)).map((at) => ({ site, at })),
    began: fresh,
  }
}

export interface PinningPlan {
  record: PinningRecord | undefined
  start: WantedTakeover[]
  began: boolean
}

/**
 * @param from the sites whose agents of the group move to the pinned site.
 * @param acting whether this operator starts takeovers at the pinned site's login service.
 */
export function planPinning(input: {
  pinnedSite: string | undefined
  recorded: PinningRecord | undefined
  from: readonly string[]
  acting: boolean
  now: Date
}): PinningPlan {
  const { pinnedSite, recorded, now } = input
  if (pinnedSite === undefined) {
    if (recorded?.site === undefined) return { record: recorded, start: [], began: false }
    return { record: { since: stamp(now) }, start: [], began: true }
  }
  const fresh = recorded?.site !== pinnedSite
  const record: PinningRecord = fresh ? { site: pinnedSite, since: stamp(now) } : recorded
  const started = new Set((record.takeovers ?? []).map((t) => t.site))
  const start = input.acting
    ? input.from.filter((site) => site !== pinnedSite && !started.has(site)).map((site) => ({ site, at: pinnedSite }))
    : []
  return { record, start, began: fresh }
}

/** The part of a login service's takeover report the controller reads. */
export interface TakeoverFigures {
  instructed: number
  relogged: number
}

/** Sums the takeovers' figures; a takeover whose report could not be read counts as before (undefined: keep). */
export function progressOf(
  figures: readonly (TakeoverFigures | undefined)[],
): { agentsInstructed: number; agentsMoved: number } | undefined {
  if (figures.length === 0 || figures.some((f) => f === undefined)) return undefined
  const known = figures.filter((f): f is TakeoverFigures => f !== undefined)
  return {
    agentsInstructed: known.reduce((sum, f) => sum + f.instructed, 0),
    agentsMoved: known.reduce((sum, f) => sum + f.relogged, 0),
  }
}

/** Every agent the takeovers told to move has moved. */
export function movesComplete(record: { agentsInstructed?: number; agentsMoved?: number }): boolean {
  return (record.agentsMoved ?? 0) >= (record.agentsInstructed ?? 0)
}

/** The idempotency key of a planned takeover: one per switchover (or pinning) run, moved site and taking site. */
export function plannedTakeoverKey(run: string, since: string, wanted: WantedTakeover): string {
  return `${run}-${wanted.site}-${wanted.at}-${since}`.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 128)
}
