// I/O: carries out a Site's chaos drill (spec.drill) on every reconcile of the failover controller. The
// planner (operator/failover/drill.ts) is pure over status.lastDrill, so an operator restarted mid-drill
// carries on: faults are asked for again, and injecting and restoring are idempotent. Stop faults go
// through the site's drill agent (External components) or the Site's provisioning, which scales Managed
// ones to zero while the drill runs; HeartbeatLoss is injected here (the controller drops the site's probe
// results, so only the second opinion of the surviving edges can tell the site is fine); Partition cuts
// the site off from its peer sites through its drill agent's network fault (refused, saying what is
// missing, when the agent does not offer it; the agent heals by itself should the operator not reach it).
// A drill that stops or cuts the site starts only once the hold controller let it go ahead
// (status.admitted.drill): while it is held, the runner waits as if there were no drill.
// A drill completes once its faults are restored and, if it caused a failover, the survivors' takeovers
// of its agents are done (or overdue); then its timeline, report and chart are written.
import type { Site } from '../../../crds/types.ts'
import type { DrillComponent, FaultAction } from '../../../workloads/drill-agent/agent.ts'
import { reloginChart } from '../../failover/chart.ts'
import { completeDrill, partitionHealAfterSeconds, planDrill, type DrillPlan, type Fault, type LastDrill } from '../../failover/drill.ts'
import type { AgentRelogin } from '../../failover/timeline.ts'
import type { EventRecorder } from '../../runtime/events.ts'
import type { Logger } from '../../runtime/log.ts'
import { objectKey } from '../../runtime/resource.ts'
import {
  drillFailover,
  drillOutcome,
  drillRefusal,
  drillTimeline,
  refusedDrill,
  withHeartbeatMarks,
  type NetworkOffer,
} from './drill-marks.ts'
import { drillMayStart } from '../hold/effective.ts'
import type { SiteHeartbeat } from './heartbeat-status.ts'
import type { FailoverIO } from './io.ts'
import { takeoverProgress } from './takeover-progress.ts'
import { takeoverViews } from './traffic.ts'
import type { SiteTargets } from './targets.ts'

export interface DrillRunnerOptions {
  io: FailoverIO
  events: Pick<EventRecorder, 'record'>
  log: Logger
  /** How long after a drill's flip its agents' re-logins are waited for before the drill completes without them. */
  reloginDeadlineMs: number
  /** With --site: drills of this site only (another cluster's operator runs the others'). */
  ownSite?: string
}

export interface DrillInputs {
  site: Site
  lastDrill?: LastDrill
  heartbeat: SiteHeartbeat
  survivors: readonly SiteTargets[]
  /** The agents homed at the site (their AgentSeats), expected to move if the drill fails the site over. */
  expectedAgents: readonly string[]
  /** The calls in progress to the site at the last reading before this time (edge-calls.ts); undefined if never read. */
  callsInProgressBefore?: (fault: string) => number | undefined
}

export interface DrillOutcome {
  lastDrill?: LastDrill
  /** This probe round of the site counts as missed (HeartbeatLoss). */
  dropProbes: boolean
  requeueAfterMs?: number
}

interface Applied {
  done: boolean
  /** Components the site does not run (its drill agent answered 404): nothing to stop. */
  absent: DrillComponent[]
  failures: string[]
}

const WAIT_FOR_RELOGINS_MS = 1000

export function drillRunner(options: DrillRunnerOptions): (inputs: DrillInputs) => Promise<DrillOutcome> {
  const { io, events, log } = options
  /** Per drill id, the faults this operator already applied ("stop:edge", "start:edge"): asked once, not every second. */
  const applied = new Map<string, Set<string>>()
  /** Warnings already recorded as Events, so a fault that keeps failing is one Event, not one a second. */
  const warned = new Set<string>()

  const forget = (id: string) => {
    applied.delete(id)
    for (const key of warned) if (key.startsWith(`${id} `)) warned.delete(key)
  }

  const event = (site: Site, reason: string, note: string, warning: boolean) =>
    events.record(site, { type: warning ? 'Warning' : 'Normal', reason, action: 'Drill', note: `site ${site.metadata.name}: ${note}` })

  const warnOnce = async (site: Site, id: string, reason: string, failures: string[]) => {
    const fresh = failures.filter((f) => !warned.has(`${id} ${f}`))
    if (fresh.length === 0) return
    for (const f of fresh) warned.add(`${id} ${f}`)
    log.warn({ site: objectKey(site), drill: id, failures: fresh }, reason)
    await event(site, reason, fresh.join('; '), true)
  }

  /** Only asked before a Partition drill starts at a site with a drill agent; undefined when it cannot be asked. */
  const networkOffer = async (site: Site): Promise<NetworkOffer | undefined> => {
    if (site.spec.drillAgent === undefined || io.drills === undefined) return undefined
    try {
      return { offered: await io.drills.offersNetwork(site) }
    } catch (error) {
      return { unreachable: (error as Error).message }
    }
  }

  /** Cuts the site's network (stop) or heals it (start) through its drill agent; a failure to retry, or undefined. */
  const applyPartition = async (
    site: Site,
    action: FaultAction,
    done: Set<string>,
    healAfterSeconds: number,
  ): Promise<string | undefined> => {
    const network = action === 'stop' ? 'cut' : 'heal'
    const key = `${network}:network`
    if (done.has(key)) return undefined
    // Without a drill agent nothing was cut (the drill was refused or the agent removed): nothing to heal.
    if (site.spec.drillAgent === undefined) return network === 'cut' ? 'cut network: the site declares no spec.drillAgent' : undefined
    if (io.drills === undefined) return `${network} network: this operator has no drill agent client`
    try {
      const offered = await io.drills.network(site, network, network === 'cut' ? healAfterSeconds : undefined)
      // An agent without the network fault has nothing to heal, but a cut it did not make must not pass for one.
      if (!offered && network === 'cut') return 'cut network: the drill agent no longer offers the network fault'
      done.add(key)
      return undefined
    } catch (error) {
      return `${network} network: ${(error as Error).message}`
    }
  }

  const applyFaults = async (
    site: Site,
    id: string,
    faults: readonly Fault[],
    action: FaultAction,
    healAfterSeconds: number,
  ): Promise<Applied> => {
    const done = applied.get(id) ?? new Set<string>()
    applied.set(id, done)
    const absent: DrillComponent[] = []
    const failures: string[] = []
    await Promise.all(
      faults.map(async (fault) => {
        if (fault.kind === 'dropProbes') return // injected by the prober while the plan asks for it
        if (fault.kind === 'partition') {
          const failure = await applyPartition(site, action, done, healAfterSeconds)
          if (failure !== undefined) failures.push(failure)
          return
        }
        // A Managed component is scaled to zero (and back) by the Site's provisioning while the drill runs.
        if (site.spec.components[fault.component].mode === 'Managed') return
        const key = `${action}:${fault.component}`
        if (done.has(key)) return
        // Without a drill agent nothing was stopped (the drill was refused or the agent removed): nothing to start.
        if (action === 'start' && site.spec.drillAgent === undefined) return
        if (io.drills === undefined) {
          failures.push(`${action} ${fault.component}: this operator has no drill agent client`)
          return
        }
        try {
          if (!(await io.drills.fault(site, fault.component, action))) absent.push(fault.component)
          done.add(key)
        } catch (error) {
          failures.push(`${action} ${fault.component}: ${(error as Error).message}`)
        }
      }),
    )
    return { done: failures.length === 0, absent: absent.sort(), failures }
  }

  const startedNote = (plan: DrillPlan, injected: Applied): string =>
    [
      plan.event?.note ?? '',
      ...(injected.absent.length > 0 ? [`not run at this site, so not stopped: ${injected.absent.join(', ')}`] : []),
    ].join('; ')

  /** The drill's end: its timeline with the re-logins of any failover it caused, the report and chart, an Event; undefined while re-logins are awaited. */
  const finish = async (inputs: DrillInputs, restoring: LastDrill, now: Date): Promise<LastDrill | undefined> => {
    const { site, heartbeat } = inputs
    const marked = withHeartbeatMarks(restoring, heartbeat.record) ?? restoring
    const failover = drillFailover(marked, heartbeat.record)
    let agents: AgentRelogin[] = []
    if (failover?.flipped) {
      const views = await takeoverViews(heartbeat, inputs.survivors, io, (survivor, error) =>
        log.warn({ site: objectKey(site), survivor, err: error.message }, 'takeover report unavailable'),
      )
      const progress = takeoverProgress(views, inputs.expectedAgents)
      if (!progress.complete && now.getTime() - Date.parse(failover.flipped) < options.reloginDeadlineMs) return undefined
      agents = progress.agents
    }
    const done = completeDrill(marked)
    const callsLost = failover && done.lastDrill.timeline.fault ? inputs.callsInProgressBefore?.(done.lastDrill.timeline.fault) : undefined
    const { summary, report } = drillTimeline(done.lastDrill, agents, callsLost)
    let path: string | undefined
    if (io.reports) {
      const chart = reloginChart({
        title: `Re-login during drill ${done.lastDrill.name} of ${site.metadata.name}`,
        reloginMs: report.agents.flatMap((a) => (a.reloginMs === null ? [] : [a.reloginMs])),
      })
      path = await io.reports.write(summary.id, `${JSON.stringify(report, null, 2)}\n`, chart)
    }
    const completed: LastDrill = { ...done.lastDrill, timeline: { ...summary, ...(path ? { report: path } : {}) } }
    const outcome = drillOutcome(summary, failover !== undefined)
    await event(
      site,
      done.event?.reason ?? 'DrillCompleted',
      `drill ${done.lastDrill.name}: ${outcome}${path ? `; report ${path}` : ''}`,
      false,
    )
    return completed
  }

  return async (inputs) => {
    const { site, lastDrill } = inputs
    const name = site.metadata.name
    if (options.ownSite !== undefined && options.ownSite !== name) return { ...(lastDrill ? { lastDrill } : {}), dropProbes: false }
    const now = io.now()
    const over = lastDrill === undefined || lastDrill.state === 'Completed' || lastDrill.state === 'Failed'
    // A drill that takes the site out of service starts only once the hold controller let it (effective.ts).
    const drill = over && !drillMayStart(site) ? undefined : site.spec.drill
    const starting = drill !== undefined && over && drill.name !== lastDrill?.name
    const offer = starting && drill.scenario === 'Partition' ? await networkOffer(site) : undefined
    const refusal = starting ? drillRefusal(site, drill, offer) : undefined
    if (drill && refusal) {
      await event(site, 'DrillFailed', `drill ${drill.name}: ${refusal}`, true)
      return { lastDrill: refusedDrill(name, drill, now, refusal), dropProbes: false }
    }

    const plan = planDrill({ site: name, drill, lastDrill, now })
    let current = plan.lastDrill
    if (current === undefined) return { dropProbes: false }
    const id = current.timeline.id
    const healAfterSeconds = partitionHealAfterSeconds(current, drill?.durationSeconds ?? 0, now)
    const injected = await applyFaults(site, id, plan.inject, 'stop', healAfterSeconds)
    if (plan.event?.reason === 'DrillStarted') await event(site, plan.event.reason, startedNote(plan, injected), plan.event.warning)
    else if (plan.event) await event(site, plan.event.reason, `drill ${current.name}: ${plan.event.note}`, plan.event.warning)
    await warnOnce(site, id, 'DrillInjectIncomplete', injected.failures)

    let requeueAfterMs = plan.requeueAfterMs
    if (plan.restore.length > 0) {
      const restored = await applyFaults(site, id, plan.restore, 'start', healAfterSeconds)
      await warnOnce(site, id, 'DrillRestoreIncomplete', restored.failures)
      if (restored.done && current.state === 'Restoring') {
        const completed = await finish(inputs, current, now)
        if (completed) {
          current = completed
          requeueAfterMs = undefined
        } else requeueAfterMs = WAIT_FOR_RELOGINS_MS
      }
    }
    if (current.state === 'Completed' || current.state === 'Failed') forget(id)
    return {
      lastDrill: current,
      dropProbes: plan.inject.some((f) => f.kind === 'dropProbes'),
      ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }),
    }
  }
}
