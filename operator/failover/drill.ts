// Pure: what a chaos drill needs now, from spec.drill, status.lastDrill and the time alone, so an operator that
// restarts mid-drill carries on: Running (fault injected until fault + durationSeconds) -> Restoring (fault lifted,
// until the caller reports the restore applied: completeDrill) -> Completed, or Failed if the restore is still
// not applied restoreTimeoutMs after it began. A new spec.drill.name starts a new run once the previous one is over;
// removing or renaming the drill mid-run restores early. Injecting and restoring are asked for on every call and
// must be idempotent.
import type { Site } from '../../crds/types.ts'

export type DrillSpec = NonNullable<Site['spec']['drill']>
export type LastDrill = NonNullable<NonNullable<Site['status']>['lastDrill']>
export type DrillScenario = DrillSpec['scenario']
export type DrillComponent = 'softswitch' | 'edge' | 'acd' | 'login' | 'cti'

export type Fault =
  /** The component's processes are stopped. */
  | { kind: 'stop'; component: DrillComponent }
  /** Heartbeat probes of the site fail while the site itself keeps working. */
  | { kind: 'dropProbes' }
  /** The site and its peer sites cannot reach each other. */
  | { kind: 'partition' }

export interface DrillPlan {
  /** The status to write; the same object as the input when nothing changed. */
  lastDrill?: LastDrill
  inject: Fault[]
  restore: Fault[]
  /** Look again after this long (the drill's end, or a restore retry). */
  requeueAfterMs?: number
  event?: { reason: string; note: string; warning: boolean }
}

export interface DrillInput {
  site: string
  drill?: DrillSpec
  lastDrill?: LastDrill
  now: Date
}

export const restoreTimeoutMs = 120_000
/**
 * A Partition drill's cut heals by itself at the site's drill agent this long after the drill's end, should the
 * operator not reach the agent to heal it (the partition may cut the operator off too). Well inside
 * restoreTimeoutMs: the restore, asked again every second, then succeeds once the agent is reachable again.
 */
export const partitionHealMarginSeconds = 30
const restoreRetryMs = 1000
const stop = (component: DrillComponent): Fault => ({ kind: 'stop', component })

export function drillFaults(scenario: DrillScenario): Fault[] {
  switch (scenario) {
    case 'SiteDown':
      return [stop('softswitch'), stop('edge'), stop('acd'), stop('login'), stop('cti')]
    case 'EdgeDown':
      return [stop('edge')]
    case 'SoftswitchDown':
      return [stop('softswitch')]
    case 'LoginDown':
      return [stop('login')]
    case 'HeartbeatLoss':
      return [{ kind: 'dropProbes' }]
    case 'Partition':
      return [{ kind: 'partition' }]
  }
}

/** Every fault any scenario injects: what to lift when the drill's scenario is no longer known. */
const everyFault: Fault[] = [...drillFaults('SiteDown'), { kind: 'dropProbes' }, { kind: 'partition' }]

/** The components a drill stops while it runs: Managed ones are scaled to zero by the Site's provisioning. */
export function drillStoppedComponents(drill: DrillSpec | undefined, lastDrill: LastDrill | undefined): DrillComponent[] {
  if (drill === undefined || lastDrill?.state !== 'Running' || lastDrill.name !== drill.name) return []
  return drillFaults(drill.scenario).flatMap((fault) => (fault.kind === 'stop' ? [fault.component] : []))
}

/** How long from now the drill agent may keep the network cut at most: the rest of the drill, plus the margin. */
export function partitionHealAfterSeconds(lastDrill: LastDrill, durationSeconds: number, now: Date): number {
  const endsAt = Date.parse(lastDrill.timeline.fault ?? now.toISOString()) + durationSeconds * 1000
  return Math.max(0, Math.ceil((endsAt - now.getTime()) / 1000)) + partitionHealMarginSeconds
}

export function planDrill({ site, drill, lastDrill, now }: DrillInput): DrillPlan {
  const current = drill && lastDrill && drill.name === lastDrill.name ? drill : undefined
  const faults = current ? drillFaults(current.scenario) : everyFault
  const idle = { lastDrill, inject: [], restore: [] }
  switch (lastDrill?.state) {
    case undefined:
    case 'Completed':
    case 'Failed':
      return drill && drill.name !== lastDrill?.name ? start(site, drill, now) : idle
    case 'Running': {
      const endsAt = current ? Date.parse(lastDrill.timeline.fault ?? now.toISOString()) + current.durationSeconds * 1000 : now.getTime()
      if (now.getTime() < endsAt) return { ...idle, inject: faults, requeueAfterMs: endsAt - now.getTime() }
      const note = current ? `${current.durationSeconds} s are over; restoring` : 'the drill was removed or renamed; restoring early'
      const restoring: LastDrill = { ...lastDrill, state: 'Restoring', timeline: { ...lastDrill.timeline, restored: now.toISOString() } }
      return {
        lastDrill: restoring,
        inject: [],
        restore: faults,
        requeueAfterMs: restoreRetryMs,
        event: { reason: 'DrillRestoring', note, warning: false },
      }
    }
    case 'Restoring': {
      const began = Date.parse(lastDrill.timeline.restored ?? now.toISOString())
      if (now.getTime() - began < restoreTimeoutMs) return { ...idle, restore: faults, requeueAfterMs: restoreRetryMs }
      const note = `the fault was not restored within ${restoreTimeoutMs / 1000} s`
      return {
        lastDrill: { ...lastDrill, state: 'Failed' },
        inject: [],
        restore: faults,
        event: { reason: 'DrillFailed', note, warning: true },
      }
    }
  }
}

/** The caller applied the restore a Restoring plan asked for. */
export function completeDrill(lastDrill: LastDrill): { lastDrill: LastDrill; event?: DrillPlan['event'] } {
  if (lastDrill.state !== 'Restoring') return { lastDrill }
  return {
    lastDrill: { ...lastDrill, state: 'Completed' },
    event: { reason: 'DrillCompleted', note: 'the fault is restored', warning: false },
  }
}

function start(site: string, drill: DrillSpec, now: Date): DrillPlan {
  const reason = `drill ${drill.name}: ${drill.scenario} for ${drill.durationSeconds} s`
  return {
    lastDrill: {
      name: drill.name,
      state: 'Running',
      scenario: drill.scenario,
      timeline: { id: `${site}-drill-${drill.name}`, reason, fault: now.toISOString() },
    },
    inject: drillFaults(drill.scenario),
    restore: [],
    requeueAfterMs: drill.durationSeconds * 1000,
    event: { reason: 'DrillStarted', note: reason, warning: true },
  }
}
