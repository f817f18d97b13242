// Pure: what a drill's run needs besides the planner (operator/failover/drill.ts): whether this operator
// can run it at all, its timeline marks taken from the heartbeat record as they appear, the probe round a
// HeartbeatLoss drill hides, and the finished timeline.
import type { Site } from '../../../crds/types.ts'
import { drillFaults, type DrillSpec, type LastDrill } from '../../failover/drill.ts'
import type { FailoverMarks, HeartbeatRecord } from '../../failover/heartbeat-types.ts'
import {
  timelineReport,
  timelineSummary,
  type AgentRelogin,
  type PhaseMarks,
  type TimelineInput,
  type TimelineReport,
  type TimelineSummary,
} from '../../failover/timeline.ts'
import type { ComponentProbe } from './verdict.ts'

/** Why this drill cannot run here, or undefined: refusing is honest, pretending to inject is not. */
export function drillRefusal(site: Site, drill: DrillSpec): string | undefined {
  if (drill.scenario === 'Partition')
    return 'Partition drills are not supported yet: the operator cannot cut the network between the sites (that needs traffic filtering at every site); nothing was injected'
  const external = drillFaults(drill.scenario).flatMap((fault) =>
    fault.kind === 'stop' && site.spec.components[fault.component].mode === 'External' ? [fault.component] : [],
  )
  if (external.length > 0 && site.spec.drillAgent === undefined)
    return `a ${drill.scenario} drill stops ${external.join(', ')}, which site ${site.metadata.name} runs External: that needs the site's drill agent, and the site declares no spec.drillAgent; nothing was injected`
  return undefined
}

/** A drill refused before it started: Failed at once, with the reason in its timeline. */
export function refusedDrill(site: string, drill: DrillSpec, now: Date, why: string): LastDrill {
  return {
    name: drill.name,
    state: 'Failed',
    timeline: { id: `${site}-drill-${drill.name}`, reason: `drill ${drill.name}: ${drill.scenario} refused: ${why}`.slice(0, 256) },
  }
}

/** The failover the heartbeat machine started during this drill, if any. */
export function drillFailover(lastDrill: LastDrill, record: HeartbeatRecord): FailoverMarks | undefined {
  const fault = Date.parse(lastDrill.timeline.fault ?? '')
  const failover = record.failover
  return failover && Date.parse(failover.confirmed) >= fault ? failover : undefined
}

/** Copies suspect, confirmed and flipped from the heartbeat record into a running drill's timeline, once each. */
export function withHeartbeatMarks(lastDrill: LastDrill | undefined, record: HeartbeatRecord): LastDrill | undefined {
  if (lastDrill?.timeline.fault === undefined || (lastDrill.state !== 'Running' && lastDrill.state !== 'Restoring')) return lastDrill
  const failover = drillFailover(lastDrill, record)
  const suspectAt = record.suspectAt && Date.parse(record.suspectAt) >= Date.parse(lastDrill.timeline.fault) ? record.suspectAt : undefined
  const found = { suspect: failover?.suspect ?? suspectAt, confirmed: failover?.confirmed, flipped: failover?.flipped }
  const timeline = { ...lastDrill.timeline }
  for (const mark of ['suspect', 'confirmed', 'flipped'] as const) {
    const value = found[mark]
    if (timeline[mark] === undefined && value !== undefined) timeline[mark] = value
  }
  const changed = (['suspect', 'confirmed', 'flipped'] as const).some((mark) => timeline[mark] !== lastDrill.timeline[mark])
  return changed ? { ...lastDrill, timeline } : lastDrill
}

/** A HeartbeatLoss drill: every probe of the round counts as missed, while the site itself keeps working. */
export function droppedProbes(probes: readonly ComponentProbe[], drill: string): ComponentProbe[] {
  return probes.map((p) => ({ ...p, reachable: false, message: `dropped by drill ${drill}` }))
}

/** The finished drill's timeline (calls lost are not measured here, so not claimed) and its full report. */
export function drillTimeline(
  lastDrill: LastDrill,
  agents: readonly AgentRelogin[],
): { summary: LastDrill['timeline']; report: TimelineReport } {
  const { fault = '', suspect, confirmed, flipped, restored } = lastDrill.timeline
  const marks: PhaseMarks = {
    fault,
    ...(suspect ? { suspect } : {}),
    ...(confirmed ? { confirmed } : {}),
    ...(flipped ? { flipped } : {}),
    ...(restored ? { restored } : {}),
  }
  const input: TimelineInput = { id: lastDrill.timeline.id, reason: lastDrill.timeline.reason, marks, agents, callsLost: 0 }
  const report = timelineReport(input)
  return { summary: withoutCallsLost(timelineSummary(input)), report: { ...report, summary: withoutCallsLost(report.summary) } }
}

function withoutCallsLost(summary: TimelineSummary): TimelineSummary {
  const copy = { ...summary }
  delete copy.callsLost
  return copy
}
