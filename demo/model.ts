// Pure: what the demo's screen shows (the view model), and how the drill's timeline is read from a Site.
import type { Site } from '../crds/types.ts'

export type StepState = 'pending' | 'running' | 'done' | 'failed'

export interface Step {
  id: string
  label: string
  state: StepState
  detail: string
  startedAt?: number
  finishedAt?: number
}

export interface SiteRow {
  name: string
  /** status.health as the operator wrote it; undefined before the first status. */
  health?: string
  /** Sessions the site's login service holds; null when the login service does not answer. */
  agentsSignedIn: number | null
  /** Agents whose home is this site. */
  agentsHomed: number
  /** Carrier calls answered by this site's soft switch. */
  callsHandled: number
}

export interface Progress {
  done: number
  total: number
  startedAt: number
  finishedAt?: number
}

export interface CallTotals {
  completed: number
  failed: number
}

export const MARKS = ['fault', 'suspect', 'confirmed', 'flipped', 'completed', 'restored'] as const
export type Mark = (typeof MARKS)[number]

export interface ReloginFigures {
  p50: number
  p95: number
  p99: number
  max: number
}

export interface DrillView {
  site: string
  name: string
  scenario: string
  durationSeconds: number
  /** The exact command the demo ran to start the drill. */
  command: string
  /** status.lastDrill.state once the operator has written it. */
  state?: string
  /** ISO timestamps. */
  marks: Partial<Record<Mark, string>>
  relogin?: ReloginFigures
  agentsMoved?: number
  agentsLost?: number
  callsLost?: number
}

/** The drill report's figures the demo prints at the end (the report also lists every agent). */
export interface DrillFigures {
  summary: object
  phases: object[]
}

export interface ReportFiles {
  json: string
  svg: string
}

export interface DemoModel {
  /** What the demo runs against, e.g. "local control plane https://127.0.0.1:41234". */
  target: string
  agents: number
  /** A command to look at the cluster while the demo runs. */
  hint?: string
  startedAt: number
  now: number
  steps: Step[]
  sites: SiteRow[]
  signIn?: Progress
  relogin?: Progress
  calls: CallTotals
  drill?: DrillView
  report?: ReportFiles
  /** The latest notable thing that happened, shown at the bottom. */
  note?: string
}

type LastDrill = NonNullable<NonNullable<Site['status']>['lastDrill']>
type HeartbeatStatus = NonNullable<NonNullable<Site['status']>['heartbeat']>

/**
 * The drill's timeline as far as it is known: status.lastDrill's own marks first, and while the drill
 * runs, the heartbeat record's marks of the failure it caused (those at or after the drill began).
 */
export function drillProgress(
  site: Site | undefined,
  drillName: string,
  since: number,
): Pick<DrillView, 'state' | 'marks' | 'relogin' | 'agentsMoved' | 'agentsLost' | 'callsLost'> {
  const lastDrill: LastDrill | undefined = site?.status?.lastDrill?.name === drillName ? site.status.lastDrill : undefined
  const timeline = lastDrill?.timeline
  const fromHeartbeat = heartbeatMarks(site?.status?.heartbeat, since)
  const marks: Partial<Record<Mark, string>> = {}
  for (const mark of MARKS) {
    const value = timeline?.[mark] ?? fromHeartbeat[mark]
    if (value !== undefined) marks[mark] = value
  }
  return {
    ...(lastDrill ? { state: lastDrill.state } : {}),
    marks,
    ...(timeline?.reloginMilliseconds ? { relogin: timeline.reloginMilliseconds } : {}),
    ...(timeline?.agentsMoved === undefined ? {} : { agentsMoved: timeline.agentsMoved }),
    ...(timeline?.agentsLost === undefined ? {} : { agentsLost: timeline.agentsLost }),
    ...(timeline?.callsLost === undefined ? {} : { callsLost: timeline.callsLost }),
  }
}

function heartbeatMarks(heartbeat: HeartbeatStatus | undefined, since: number): Partial<Record<Mark, string>> {
  if (!heartbeat) return {}
  const failover = heartbeat.failover
  const candidates: Partial<Record<Mark, string | undefined>> = failover
    ? { fault: failover.fault, suspect: failover.suspect, confirmed: failover.confirmed, flipped: failover.flipped }
    : { fault: heartbeat.faultAt, suspect: heartbeat.suspectAt }
  const marks: Partial<Record<Mark, string>> = {}
  for (const mark of MARKS) {
    const value = candidates[mark]
    if (value !== undefined && Date.parse(value) >= since) marks[mark] = value
  }
  return marks
}

export function isDrillOver(drill: DrillView | undefined): boolean {
  return drill?.state === 'Completed' || drill?.state === 'Failed'
}

/** The report's JSON path from status.lastDrill.timeline.report (the SVG chart is written beside it). */
export function reportFiles(report: string | undefined): ReportFiles | undefined {
  if (report === undefined || !report.endsWith('.json')) return undefined
  return { json: report, svg: `${report.slice(0, -'.json'.length)}.svg` }
}
