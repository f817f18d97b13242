// The failover controller: per Site, probes its components at spec.heartbeat's interval, feeds the
// site-level verdict to the heartbeat state machine (operator/failover), keeps the machine's record in
// status.heartbeat, and carries out what the machine asks: a second opinion from the surviving edges,
// the flip (surviving edges stop sending to the site, surviving login services take its agents over,
// Trunk routes show it), the restore, Events. After a flip it follows the takeovers until every agent
// re-signed-in or a deadline, then writes status.lastFailover and the report.
//
// It also runs the Site's chaos drill (spec.drill, drills.ts): faults injected and restored on every
// reconcile, a HeartbeatLoss drill's probe rounds dropped here.
//
// The record in memory is the truth while this operator leads; a new leader starts from status, so a
// failover whose flip was not acknowledged is flipped again (idempotent). Status keys written here:
// health, healthSince, heartbeat, lastFailover, lastFailback, lastDrill, trafficShare; on Trunks routes, routeSummary, lastFlip.
// A site is judged from its first answer on: until then (being set up) its health is Unknown.
// Manual failback: annotate the Site `callcenter.dev/approve-failback=<failover id>`. After the restore the
// site's login service takes its homed agents back from the survivors, each after its current call
// (failback.ts); status.lastFailback keeps its progress, so a restarted operator follows it on.
import type { Site, Trunk } from '../../../crds/types.ts'
import type { Action, HeartbeatRecord, Observation } from '../../failover/heartbeat-types.ts'
import { heartbeatPolicy, type HeartbeatPolicy } from '../../failover/policy.ts'
import { stepHeartbeat } from '../../failover/state-machine.ts'
import { agentsNote, phaseSeconds, type TimelineSummary } from '../../failover/timeline.ts'
import { contentHash } from '../../runtime/apply.ts'
import { Controller, type Reconciler } from '../../runtime/controller.ts'
import type { EventRecorder } from '../../runtime/events.ts'
import type { Logger } from '../../runtime/log.ts'
import type { OperatorMetrics } from '../../runtime/metrics.ts'
import { objectKey } from '../../runtime/resource.ts'
import { scoped, types, type Cached } from '../kinds.ts'
import type { Informers } from '../validation.ts'
import type { LastDrill } from '../../failover/drill.ts'
import { trafficInEffect } from '../hold/effective.ts'
import { droppedProbes, withHeartbeatMarks } from './drill-marks.ts'
import { drillRunner } from './drills.ts'
import { advanceFailback } from './failback.ts'
import { failbackNote, interruptedFailback, type FailbackRecord } from './failback-progress.ts'
import { callsAtFault, countRound, latestCounts, type KeptCount } from './edge-calls.ts'
import { finishFailover } from './failover-report.ts'
import { capped, heartbeatFromStatus, heartbeatStatus, type SiteHeartbeat } from './heartbeat-status.ts'
import type { FailoverIO } from './io.ts'
import { answeredEdges, edgesConfirmingDown, probeSite } from './prober.ts'
import { actingSurvivors, recordsFailoverOf } from './scope.ts'
import { takeoverProgress } from './takeover-progress.ts'
import { wantedSiteStates } from './edge-states.ts'
import { siteTargets, type EdgeControl, type EdgePodLookup, type SiteTargets } from './targets.ts'
import { convergeEdges, setSiteAtSurvivors, startTakeovers, takeoverViews } from './traffic.ts'
import { trunkRouteStatus } from './trunk-routes.ts'
import { siteVerdict, type ComponentProbe } from './verdict.ts'

export const APPROVE_FAILBACK_ANNOTATION = 'callcenter.dev/approve-failback'
const HOSTED_READ_INTERVAL_MS = 10_000
const HEALTH_STATES = ['Healthy', 'Suspect', 'Confirming', 'Failed', 'Recovering', 'Unknown'] as const

export interface FailoverControllerOptions {
  informers: Pick<Informers, 'sites' | 'trunks' | 'agentSeats'>
  io: FailoverIO
  events: Pick<EventRecorder, 'record'>
  log: Logger
  metrics: OperatorMetrics
  clusterDomain: string
  /** How long after the flip the takeovers are followed before the timeline is written with whoever is still missing. */
  reloginDeadlineMs?: number
  /** With --site: act only at this site's edges and login service (scope.ts). */
  ownSite?: string
  /** How long a failback's drain is followed before its summary is written with whoever is still on a call; default 15 min. */
  failbackDeadlineMs?: number
  /** The ready pods behind a Managed edge's agent Service (edge-pods.ts); without it, or with none, the Service is used. */
  edgePods?: EdgePodLookup
}

interface Tracked {
  /** The site has answered once: a site still being set up is not judged (nor failed over). */
  armed: boolean
  heartbeat: SiteHeartbeat
  nextProbeAt: number
  lastFailover?: TimelineSummary
  lastFailback?: FailbackRecord
  lastDrill?: LastDrill
  /** Agents signed in at the site, as its login service last counted them, and when that was read. */
  hosted?: { count: number; readAt: number }
  /** Calls in progress through the site's edges per destination site (edge-calls.ts). */
  calls: KeptCount[]
  /** Hash of the status last written (or found written). */
  written?: string
}

export function failoverController(options: FailoverControllerOptions): Controller<Cached<Site>> {
  const controller = new Controller<Cached<Site>>({
    name: 'failover',
    primary: options.informers.sites,
    log: options.log,
    metrics: options.metrics,
    workers: 4,
    reconcile: failoverReconciler(options),
  })
  controller.watch({
    informer: options.informers.trunks,
    map: (trunk) => trunk.spec.sites.map((s) => scoped(trunk, s.site)),
    specChangesOnly: true,
  })
  return controller
}

/** The reconcile of one Site key; its memory is this operator's while it leads. */
export function failoverReconciler(options: FailoverControllerOptions): Reconciler {
  const { informers, io, events, log } = options
  const deadlineMs = options.reloginDeadlineMs ?? 120_000
  const failbackDeadlineMs = options.failbackDeadlineMs ?? 15 * 60_000
  const tracked = new Map<string, Tracked>()
  const runDrill = drillRunner({ io, events, log, reloginDeadlineMs: deadlineMs, ...(options.ownSite ? { ownSite: options.ownSite } : {}) })

  const sitesBeside = (site: Site) => informers.sites.store.list().filter((s) => s.metadata.namespace === site.metadata.namespace)
  const targetsOf = (site: Site): SiteTargets => siteTargets(site, options.clusterDomain, options.edgePods)
  const survivorsOf = (site: Site): SiteTargets[] =>
    sitesBeside(site)
      .filter((s) => s.metadata.name !== site.metadata.name)
      .map(targetsOf)
  const homedAgents = (site: Site) =>
    informers.agentSeats.store.byIndex('homeSite', scoped(site, site.metadata.name)).map((seat) => seat.spec.agentId)
  const recordOf = (site: Cached<Site>): HeartbeatRecord | undefined =>
    tracked.get(objectKey(site))?.heartbeat.record ?? site.status?.heartbeat

  const reconcile = async (key: string) => {
    const site = informers.sites.store.get(key)
    if (!site) {
      tracked.delete(key)
      const name = key.slice(key.indexOf('/') + 1)
      for (const state of HEALTH_STATES) options.metrics.siteHealth.remove({ site: name, state })
      return undefined
    }
    const policy = heartbeatPolicy(site.spec.heartbeat)
    const now = io.now()
    const state: Tracked = tracked.get(key) ?? {
      armed: site.status?.heartbeat !== undefined,
      heartbeat: heartbeatFromStatus(site, now),
      nextProbeAt: 0,
      calls: site.status?.callsInProgress ?? [],
      ...(site.status?.lastFailover ? { lastFailover: site.status.lastFailover } : {}),
      ...(site.status?.lastFailback ? { lastFailback: site.status.lastFailback } : {}),
      ...(site.status?.lastDrill ? { lastDrill: site.status.lastDrill } : {}),
    }
    const resumed = !tracked.has(key)
    tracked.set(key, state)
    if (resumed) {
      // What status already implies is written before the first (slow) probe round.
      await writeTrunkRoutes(site)
      await writeStatus(site, state, policy)
    }
    const run = new Run(site, state, policy, survivorsOf(site))

    const approval = site.metadata.annotations?.[APPROVE_FAILBACK_ANNOTATION]
    if (approval && approval === state.heartbeat.record.failover?.id) await run.observe({ kind: 'failbackApproved', at: now })
    const drill = await runDrill({
      site,
      ...(state.lastDrill ? { lastDrill: state.lastDrill } : {}),
      heartbeat: state.heartbeat,
      survivors: run.survivors,
      expectedAgents: homedAgents(site),
      callsInProgressBefore: (fault) => callsBefore(site, fault),
    })
    state.lastDrill = drill.lastDrill
    if (now.getTime() >= state.nextProbeAt) {
      state.nextProbeAt = now.getTime() + policy.intervalMs
      const targets = targetsOf(site)
      const probed = await probeSite(targets, policy.timeoutMs, io)
      const probes = drill.dropProbes && drill.lastDrill ? droppedProbes(probed, drill.lastDrill.name) : probed
      state.heartbeat.probes = probes
      await countHosted(site, targets.loginUrl, state, probes)
      await countCalls(site, targets, state, probed, policy.timeoutMs)
      await convergeOwnEdges(site, targets, probed, policy.timeoutMs)
      const verdict = siteVerdict(probes)
      if (!verdict.ok && state.armed) {
        const why = probes.filter((p) => !p.reachable).map((p) => `${p.name}: ${p.message ?? 'no answer'}`)
        log.info({ site: key, down: why }, 'site heartbeat missed')
      }
      if (verdict.ok && !state.armed) {
        state.armed = true
        state.heartbeat = heartbeatFromStatus(site, now)
      }
      if (state.armed) await run.observe({ kind: 'probe', at: now, ok: verdict.ok })
    }
    await followTakeovers(site, state)
    await followFailback(site, state)
    state.lastDrill = withHeartbeatMarks(state.lastDrill, state.heartbeat.record)
    await writeStatus(site, state, policy)
    const untilProbe = Math.max(1, state.nextProbeAt - io.now().getTime())
    return { requeueAfterMs: Math.min(untilProbe, drill.requeueAfterMs ?? untilProbe) }
  }

  /** After the flip: poll the takeovers until every agent re-signed-in or the deadline, then the timeline. */
  const followTakeovers = async (site: Cached<Site>, state: Tracked) => {
    const { record, takeovers } = state.heartbeat
    const failover = record.failover
    if (!failover?.flipped || state.lastFailover?.id === failover.id || !recordsFailoverOf(site.metadata.name, options.ownSite)) return
    const survivors = survivorsOf(site)
    // A takeover whose start failed at the flip is asked for again (keyed by the failover: never a second one).
    const started = await startTakeovers(
      site.metadata.name,
      actingSurvivors(site.metadata.name, survivors, options.ownSite),
      takeovers,
      failover.id,
      io,
    )
    state.heartbeat.takeovers = started.takeovers
    if (started.failures.length > 0) log.warn({ site: objectKey(site), failures: started.failures }, 'takeover not started yet')
    const views = await takeoverViews(state.heartbeat, survivors, io, (survivor, error) =>
      log.warn({ site: objectKey(site), survivor, err: error.message }, 'takeover report unavailable'),
    )
    const expected = informers.agentSeats.store.byIndex('homeSite', scoped(site, site.metadata.name)).map((seat) => seat.spec.agentId)
    const progress = takeoverProgress(views, expected)
    const overdue = io.now().getTime() - Date.parse(failover.flipped) >= deadlineMs
    if (!progress.complete && !overdue) return
    const callsLost = callsBefore(site, failover.fault)
    const summary = await finishFailover(site.metadata.name, failover, progress.agents, callsLost, options.io.reports)
    state.lastFailover = summary
    for (const [phase, seconds] of Object.entries(phaseSeconds(summary))) options.metrics.failoverPhaseSeconds.observe({ phase }, seconds)
    await events.record(site, {
      type: summary.agentsLost ? 'Warning' : 'Normal',
      reason: 'FailoverCompleted',
      action: 'Failover',
      note: `${agentsNote(summary)}${summary.report ? `; report ${summary.report}` : ''}`,
    })
  }

  /** While a failback is Moving: start what is missing, follow the drains home, and write the summary once final. */
  const followFailback = async (site: Cached<Site>, state: Tracked) => {
    const failback = state.lastFailback
    if (failback?.state !== 'Moving') return
    const name = site.metadata.name
    const next = state.heartbeat.record.failedOver
      ? interruptedFailback(failback, io.now())
      : await advanceFailback(
          failback,
          {
            site: name,
            loginUrl: targetsOf(site).loginUrl,
            from: actingSurvivors(name, survivorsOf(site), options.ownSite).map((s) => s.site),
            homed: homedAgents(site),
            deadlineMs: failbackDeadlineMs,
          },
          io,
        )
    if (next.message !== undefined && next.message !== failback.message)
      log.warn({ site: objectKey(site), why: next.message }, 'failback incomplete')
    state.lastFailback = next
    if (next.state !== 'Completed') return
    await events.record(site, {
      type: next.agentsStayed ? 'Warning' : 'Normal',
      reason: 'FailbackCompleted',
      action: 'Failback',
      note: `site ${name}: ${failbackNote(next)}`,
    })
  }

  /** Once per probe round: the calls in progress through the site's edges to every site (a failure to read is no miss). */
  const countCalls = async (
    site: Cached<Site>,
    targets: SiteTargets,
    state: Tracked,
    probes: readonly ComponentProbe[],
    timeoutMs: number,
  ) => {
    const { edgeCalls } = io
    if (!state.armed || !edgeCalls) return
    const sites = sitesBeside(site).map((s) => ({ name: s.metadata.name, record: recordOf(s) }))
    const portOf = (control: EdgeControl) => edgeCalls(control, timeoutMs)
    const round = await countRound({ kept: state.calls, edges: targets.edges, probes, sites, at: io.now(), portOf })
    state.calls = round.kept
    if (round.failures.length > 0) log.debug({ site: objectKey(site), failures: round.failures }, 'calls in progress unavailable')
  }

  /** Once per probe round: the site's edges that answered, corrected to route as the namespace's failovers say (edge-states.ts). */
  const convergeOwnEdges = async (site: Cached<Site>, targets: SiteTargets, probes: readonly ComponentProbe[], timeoutMs: number) => {
    const name = site.metadata.name
    if (options.ownSite !== undefined && options.ownSite !== name) return
    const answered = answeredEdges(targets.edges, probes)
    const wanted = () =>
      wantedSiteStates(
        name,
        sitesBeside(site).map((s) => ({ name: s.metadata.name, traffic: trafficInEffect(s), record: recordOf(s) })),
      )
    const { changed, failures } = await convergeEdges(answered, wanted, timeoutMs, io)
    if (changed.length > 0) log.info({ site: objectKey(site), changed }, 'edge routing corrected')
    if (failures.length > 0) log.warn({ site: objectKey(site), failures }, 'edge routing not corrected yet')
  }

  /** The calls every edge of the namespace had in progress to the site at its last reading before `fault`. */
  const callsBefore = (site: Site, fault: string): number | undefined =>
    callsAtFault(
      sitesBeside(site).map((s) => tracked.get(objectKey(s))?.calls ?? s.status?.callsInProgress ?? []),
      site.metadata.name,
      fault,
    )

  /** Every HOSTED_READ_INTERVAL_MS, while the login service answers its probe: how many agents are signed in there. */
  const countHosted = async (site: Cached<Site>, loginUrl: string, state: Tracked, probes: readonly ComponentProbe[]) => {
    const now = io.now().getTime()
    if (state.hosted && now - state.hosted.readAt < HOSTED_READ_INTERVAL_MS) return
    if (!probes.some((p) => p.group === 'login' && p.reachable)) return
    try {
      state.hosted = { count: await io.login.sessions(loginUrl), readAt: now }
    } catch (error) {
      log.debug({ site: objectKey(site), err: (error as Error).message }, 'session count unavailable')
    }
  }

  /** Writes what changed since this operator last wrote it (the cached Site may not show that write yet). */
  const writeStatus = async (site: Cached<Site>, state: Tracked, policy: HeartbeatPolicy) => {
    const { record } = state.heartbeat
    const away = record.failedOver && record.failover?.flipped !== undefined
    const status: Record<string, unknown> = state.armed
      ? {
          health: record.state,
          healthSince: record.since,
          heartbeat: heartbeatStatus(state.heartbeat, policy),
          ...(state.lastFailover ? { lastFailover: state.lastFailover } : {}),
          ...(state.lastFailback ? { lastFailback: state.lastFailback } : {}),
          ...(away ? { trafficShare: 0 } : {}),
          ...(state.lastDrill ? { lastDrill: state.lastDrill } : {}),
          ...(state.hosted ? { agents: { hosted: record.state === 'Failed' ? 0 : state.hosted.count } } : {}),
          ...(state.calls.length > 0 ? { callsInProgress: latestCounts(state.calls) } : {}),
        }
      : { health: 'Unknown', ...(state.lastDrill ? { lastDrill: state.lastDrill } : {}) }
    const health = state.armed ? record.state : 'Unknown'
    for (const each of HEALTH_STATES) options.metrics.siteHealth.set({ site: site.metadata.name, state: each }, each === health ? 1 : 0)
    const hash = contentHash(status)
    if (hash === state.written) return
    await io.status.applyStatus(types.site, site, status)
    state.written = hash
  }

  /** Every Trunk of the namespace, once a route has changed: the sites flipped away are Inactive. */
  const writeTrunkRoutes = async (site: Site) => {
    const away = new Map<string, string>(
      sitesBeside(site).flatMap((s): [string, string][] => {
        const record = recordOf(s)
        return record?.failedOver && record.failover?.flipped
          ? [[s.metadata.name, `site ${s.metadata.name} failed over (${record.failover.id})`]]
          : []
      }),
    )
    const trunks = informers.trunks.store.list().filter((t: Cached<Trunk>) => t.metadata.namespace === site.metadata.namespace)
    for (const trunk of trunks) {
      if (away.size === 0 && !trunk.status?.routes) continue // no route was ever changed: nothing to show
      await io.status.applyStatus(types.trunk, trunk, { ...trunkRouteStatus(trunk, away, io.now()) })
    }
  }

  /** One reconcile's steps of one site's state machine, carrying out the actions each step asks for. */
  class Run {
    readonly site: Cached<Site>
    readonly state: Tracked
    readonly policy: HeartbeatPolicy
    readonly survivors: SiteTargets[]

    constructor(site: Cached<Site>, state: Tracked, policy: HeartbeatPolicy, survivors: SiteTargets[]) {
      this.site = site
      this.state = state
      this.policy = policy
      this.survivors = survivors
    }

    async observe(observation: Observation): Promise<void> {
      const { heartbeat } = this.state
      const previousFailover = heartbeat.record.failover?.id
      const step = stepHeartbeat({
        subject: { site: this.site.metadata.name },
        previous: heartbeat.record,
        observation,
        policy: this.policy,
        now: io.now(),
      })
      heartbeat.record = capped(step.record, this.policy)
      if (step.record.failover?.id !== previousFailover) heartbeat.takeovers = []
      for (const action of step.actions) await this.act(action)
    }

    async act(action: Action): Promise<void> {
      const name = this.site.metadata.name
      switch (action.type) {
        case 'event':
          await events.record(this.site, {
            type: action.warning ? 'Warning' : 'Normal',
            reason: action.reason,
            action: 'Heartbeat',
            note: `site ${name}: ${action.note}`,
          })
          return
        case 'confirm': {
          const planned = trafficInEffect(this.site) !== 'Active'
          for (const source of await edgesConfirmingDown(name, planned, this.survivors, this.policy.timeoutMs, io)) {
            await this.observe({ kind: 'confirmation', at: io.now(), source, down: true })
          }
          return
        }
        case 'flip': {
          const acting = actingSurvivors(name, this.survivors, options.ownSite)
          const edges = await setSiteAtSurvivors(name, 'inactive', acting, io)
          const started = await startTakeovers(name, acting, this.state.heartbeat.takeovers, action.failoverId, io)
          this.state.heartbeat.takeovers = started.takeovers
          const failures = [...edges.failures, ...started.failures]
          if (failures.length > 0) {
            await events.record(this.site, { type: 'Warning', reason: 'FlipIncomplete', action: 'Failover', note: failures.join('; ') })
          }
          if (!edges.done) return // flipped again at the next probe
          options.metrics.failovers.inc({ site: name })
          await this.observe({ kind: 'flipped', at: io.now() })
          await writeTrunkRoutes(this.site)
          return
        }
        case 'restore': {
          const edges = await setSiteAtSurvivors(name, 'active', actingSurvivors(name, this.survivors, options.ownSite), io)
          if (!edges.done) {
            await events.record(this.site, {
              type: 'Warning',
              reason: 'RestoreIncomplete',
              action: 'Failback',
              note: edges.failures.join('; '),
            })
            return
          }
          this.state.heartbeat.takeovers = []
          await this.observe({ kind: 'restored', at: io.now() })
          await writeTrunkRoutes(this.site)
          await this.beginFailback(action.failoverId)
          return
        }
      }
    }

    /** The edges send calls to the site again: its agents at the survivors go home (followed by followFailback). */
    async beginFailback(failoverId: string): Promise<void> {
      const name = this.site.metadata.name
      if (!recordsFailoverOf(name, options.ownSite) || this.state.lastFailback?.id === failoverId) return
      this.state.lastFailback = { id: failoverId, state: 'Moving', started: io.now().toISOString() }
      await events.record(this.site, {
        type: 'Normal',
        reason: 'FailbackStarted',
        action: 'Failback',
        note: `site ${name} takes calls again; its agents at the other sites move home after their current call`,
      })
    }
  }

  return reconcile
}
