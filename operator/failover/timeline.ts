// Pure: the measured timeline of a failover or drill: the summary for Site status and the full JSON report.
//
// Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank ceil(p/100 * n)
// (1-based), so it is always one of the measured values and p100 is the maximum. A re-login time is measured from
// the fault to the agent's sign-in at another site; clock skew between sites can make it negative, so it is
// clamped at 0.
import type { Site } from '../../crds/types.ts'
import { percentiles } from '../../workloads/lib/percentiles.ts'

export type TimelineSummary = NonNullable<NonNullable<Site['status']>['lastFailover']>

export interface PhaseMarks {
  fault: string
  suspect?: string
  confirmed?: string
  flipped?: string
  restored?: string
}

export interface AgentRelogin {
  agent: string
  /** When the agent signed in at another site; absent if it did not (the agent is lost, unless it stayed). */
  signedInAt?: string
  /** The agent declined to move because its own site still served it (a partition): not lost. */
  stayed?: boolean
}

export interface TimelineInput {
  id: string
  reason: string
  marks: PhaseMarks
  agents: readonly AgentRelogin[]
  /** Calls in progress to the site at the last reading before the fault (controllers/failover/edge-calls.ts); absent: not measured. */
  callsLost?: number
  /** Where the JSON report and SVG chart are written, if they are. */
  report?: string
}

export interface Phase {
  name: 'fault' | 'suspect' | 'confirmed' | 'flipped' | 'firstRelogin' | 'completed' | 'restored'
  at: string
  afterFaultMs: number
}

export interface TimelineReport {
  id: string
  reason: string
  phases: Phase[]
  summary: TimelineSummary
  agents: { agent: string; reloginMs: number | null }[]
}

export function reloginMilliseconds(fault: string, signedInAt: string): number {
  return Math.max(0, Math.round(Date.parse(signedInAt) - Date.parse(fault)))
}

export function timelineSummary(input: TimelineInput): TimelineSummary {
  const { marks } = input
  const moved = input.agents.flatMap((a) => (a.signedInAt ? [reloginMilliseconds(marks.fault, a.signedInAt)] : []))
  const agentsStayed = input.agents.filter((a) => !a.signedInAt && a.stayed).length
  const agentsLost = input.agents.length - moved.length - agentsStayed
  const { p50, p95, p99, max: slowest } = percentiles(moved)
  return {
    id: input.id,
    reason: input.reason,
    ...marks,
    ...(moved.length > 0 && agentsLost === 0 ? { completed: new Date(Date.parse(marks.fault) + slowest).toISOString() } : {}),
    agentsMoved: moved.length,
    agentsLost,
    ...(agentsStayed > 0 ? { agentsStayed } : {}),
    ...(input.callsLost === undefined ? {} : { callsLost: input.callsLost }),
    ...(moved.length > 0 ? { reloginMilliseconds: { p50, p95, p99, max: slowest } } : {}),
    ...(input.report ? { report: input.report } : {}),
  }
}

export function timelineReport(input: TimelineInput): TimelineReport {
  const summary = timelineSummary(input)
  const agents = input.agents.map((a) => ({
    agent: a.agent,
    reloginMs: a.signedInAt ? reloginMilliseconds(input.marks.fault, a.signedInAt) : null,
  }))
  const fastest = Math.min(...agents.flatMap((a) => (a.reloginMs === null ? [] : [a.reloginMs])))
  const marks: [Phase['name'], string | undefined][] = [
    ['fault', summary.fault],
    ['suspect', summary.suspect],
    ['confirmed', summary.confirmed],
    ['flipped', summary.flipped],
    ['firstRelogin', Number.isFinite(fastest) ? new Date(Date.parse(input.marks.fault) + fastest).toISOString() : undefined],
    ['completed', summary.completed],
    ['restored', summary.restored],
  ]
  const phases = marks
    .flatMap(([name, at]) => (at ? [{ name, at, afterFaultMs: Date.parse(at) - Date.parse(input.marks.fault) }] : []))
    .sort((a, b) => a.afterFaultMs - b.afterFaultMs)
  return { id: input.id, reason: input.reason, phases, summary, agents }
}

/** "12 agents moved, 0 lost, re-login p99 1830 ms" (and how many stayed, if any): the note of a finished timeline's Event. */
export function agentsNote(summary: TimelineSummary): string {
  const p99 = summary.reloginMilliseconds?.p99
  const stayed = summary.agentsStayed ? `, ${summary.agentsStayed} stayed (their site still served them)` : ''
  return `${summary.agentsMoved ?? 0} agents moved, ${summary.agentsLost ?? 0} lost${stayed}${p99 === undefined ? '' : `, re-login p99 ${p99} ms`}`
}

/** Seconds from the fault to each phase a finished timeline reached (for the failover phase histogram). */
export function phaseSeconds(summary: TimelineSummary): Record<string, number> {
  if (summary.fault === undefined) return {}
  const fault = Date.parse(summary.fault)
  const after = (at: string | undefined) => (at === undefined ? [] : [(Date.parse(at) - fault) / 1000])
  const p99 = summary.reloginMilliseconds?.p99
  const entries: [string, number][] = [
    ...after(summary.confirmed).map((s): [string, number] => ['confirmed', s]),
    ...after(summary.flipped).map((s): [string, number] => ['flipped', s]),
    ...(p99 === undefined ? [] : [['relogin_p99', p99 / 1000] as [string, number]]),
    ...after(summary.completed).map((s): [string, number] => ['completed', s]),
  ]
  return Object.fromEntries(entries)
}
