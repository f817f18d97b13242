// Pure: what a drill's run needs besides the planner (operator/failover/drill.ts): whether this operator
// can run it at all, its timeline marks taken from the heartbeat record as they appear, the probe round a
// HeartbeatLoss drill hides, the finished timeline and what its Event says happened.
import type { Site } from '../../../crds/types.ts'
import { drillFaults, type DrillSpec, type LastDrill } from '../../failover/drill.ts'
import type { FailoverMarks, HeartbeatRecord } from '../../failover/heartbeat-types.ts'
import {
  agentsNote,
  timelineReport,
  timelineSummary,
  type AgentRelogin,
  type PhaseMarks,
  type TimelineInput,
  type TimelineReport,
  type TimelineSummary,
} from '../../failover/timeline.ts'
import type { ComponentProbe } from './verdict.ts'

/**
 * What the site's drill agent answered about its network fault (GET /v1/faults), asked only before a Partition
 * drill starts at a site that declares a drill agent: offered or not, or why the question got no answer.
 */
export type NetworkOffer = { offered: boolean } | { unreachable: string }

const NOTHING_INJECTED = '; nothing was injected'
const NETWORK_COMMANDS = 'DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK'

/** Why a Partition drill cannot run at the site, naming what is missing; undefined when its drill agent offers the network fault. */
function partitionRefusal(site: Site, network: NetworkOffer | undefined): string | undefined {
  const name = site.metadata.name
  if (site.spec.drillAgent === undefined) {
    const managed = Object.values(site.spec.components).every((component) => component.mode === 'Managed')
    return managed
      ? `site ${name} is Managed and the operator filters no traffic itself: Partition needs a spec.drillAgent with a network fault (${NETWORK_COMMANDS}) to cut it off${NOTHING_INJECTED}`
      : `site ${name} declares no spec.drillAgent: Partition needs its drill agent's network fault (${NETWORK_COMMANDS}) to cut the site off from its peers${NOTHING_INJECTED}`
  }
  if (network === undefined) return `this operator has no drill agent client to cut the network${NOTHING_INJECTED}`
  if ('unreachable' in network)
    return `could not ask site ${name}'s drill agent for its network fault: ${network.unreachable.slice(0, 120)}${NOTHING_INJECTED}`
  if (!network.offered)
    return `site ${name}'s drill agent offers no network fault: set ${NETWORK_COMMANDS} there (commands that cut and heal its traffic to the peer sites)${NOTHING_INJECTED}`
  return undefined
}

/** Why this drill cannot run here, or undefined: refusing is honest, pretending to inject is not. */
export function drillRefusal(site: Site, drill: DrillSpec, network?: NetworkOffer): string | undefined {
  if (drill.scenario === 'Partition') return partitionRefusal(site, network)
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
    scenario: drill.scenario,
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

/** What the DrillCompleted Event says happened: failed over (agents moved, lost, stayed), only suspected, or nothing seen. */
export function drillOutcome(summary: TimelineSummary, failedOver: boolean): string {
  if (failedOver) return `failed over: ${agentsNote(summary)}`
  if (summary.suspect) return 'suspected but never confirmed down: no failover'
  return 'never suspected: no failover'
}

/**
 * The finished drill's timeline and its full report. `callsLost`: the calls in progress to the site at the last
 * reading before the drill's fault, given only when the drill failed the site over; undefined is not claimed.
 */
export function drillTimeline(
  lastDrill: LastDrill,
  agents: readonly AgentRelogin[],
  callsLost?: number,
): { summary: LastDrill['timeline']; report: TimelineReport } {
  const { fault = '', suspect, confirmed, flipped, restored } = lastDrill.timeline
  const marks: PhaseMarks = {
    fault,
    ...(suspect ? { suspect } : {}),
    ...(confirmed ? { confirmed } : {}),
    ...(flipped ? { flipped } : {}),
    ...(restored ? { restored } : {}),
  }
  const input: TimelineInput = {
    id: lastDrill.timeline.id,
    reason: lastDrill.timeline.reason,
    marks,
    agents,
    ...(callsLost === undefined ? {} : { callsLost }),
  }
  return { summary: timelineSummary(input), report: timelineReport(input) }
}
