// The failover controller: per Site, probes its components at spec.heartbeat's interval, feeds the
// site-level verdict to the heartbeat state machine (operator/failover), keeps the machine's record in
// status.heartbeat, and carries out what the machine asks: a second opinion from the surviving edges,
// the flip (surviving edges stop sending to the site, surviving login services take its agents over,
// Trunk routes show it), the restore, Events. After a flip it follows the takeovers until every agent
// re-signed-in or a deadline, then writes status.lastFailover and the report.
//
// The record in memory is the truth while this operator leads; a new leader starts from status, so a
// failover whose flip was not acknowledged is flipped again (idempotent). Status keys written here:
// health, healthSince, heartbeat, lastFailover, trafficShare; on Trunks routes, routeSummary, lastFlip.
// A site is judged from its first answer on: until then (being set up) its health is Unknown.
// Manual failback: annotate the Site `callcenter.dev/approve-failback=<failover id>`.
import type { Site, Trunk } from '../../../crds/types.ts'
import type { Action, HeartbeatRecord, Observation } from '../../failover/heartbeat-types.ts'
import { heartbeatPolicy, type HeartbeatPolicy } from '../../failover/policy.ts'
import { stepHeartbeat } from '../../failover/state-machine.ts'
import type { TimelineSummary } from '../../failover/timeline.ts'
import { contentHash } from '../../runtime/apply.ts'
import { Controller, type Reconciler } from '../../runtime/controller.ts'
import type { EventRecorder } from '../../runtime/events.ts'
import type { Logger } from '../../runtime/log.ts'
import type { OperatorMetrics } from '../../runtime/metrics.ts'
import { objectKey } from '../../runtime/resource.ts'
import { scoped, types, type Cached } from '../kinds.ts'
import type { Informers } from '../validation.ts'
import { finishFailover } from './failover-report.ts'
import { capped, heartbeatFromStatus, heartbeatStatus, type SiteHeartbeat } from './heartbeat-status.ts'
import type { FailoverIO } from './io.ts'
import { edgesConfirmingDown, probeSite } from './prober.ts'
import { takeoverProgress } from './takeover-progress.ts'
import { siteTargets, type SiteTargets } from './targets.ts'
import { setSiteAtSurvivors, startTakeovers } from './traffic.ts'
import { trunkRouteStatus } from './trunk-routes.ts'
import { siteVerdict } from './verdict.ts'

export const APPROVE_FAILBACK_ANNOTATION = 'callcenter.dev/approve-failback'

export interface FailoverControllerOptions {
  informers: Pick<Informers, 'sites' | 'trunks' | 'agentSeats'>
  io: FailoverIO
  events: Pick<EventRecorder, 'record'>
  log: Logger
  metrics: OperatorMetrics
  clusterDomain: string
  /** How long after the flip the takeovers are followed before the timeline is written with whoever is still missing. */
  reloginDeadlineMs?: number
}

interface Tracked {
  /** The site has answered once: a site still being set up is not judged (nor failed over). */
  armed: boolean
  heartbeat: SiteHeartbeat
  nextProbeAt: number
  lastFailover?: TimelineSummary
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
  const tracked = new Map<string, Tracked>()

  const sitesBeside = (site: Site) => informers.sites.store.list().filter((s) => s.metadata.namespace === site.metadata.namespace)
  const survivorsOf = (site: Site): SiteTargets[] =>
    sitesBeside(site)
      .filter((s) => s.metadata.name !== site.metadata.name)
      .map((s) => siteTargets(s, options.clusterDomain))
  const recordOf = (site: Cached<Site>): HeartbeatRecord | undefined =>
    tracked.get(objectKey(site))?.heartbeat.record ?? site.status?.heartbeat

  const reconcile = async (key: string) => {
    const site = informers.sites.store.get(key)
    if (!site) {
      tracked.delete(key)
      return undefined
    }
    const policy = heartbeatPolicy(site.spec.heartbeat)
    const now = io.now()
    const state: Tracked = tracked.get(key) ?? {
      armed: site.status?.heartbeat !== undefined,
      heartbeat: heartbeatFromStatus(site, now),
      nextProbeAt: 0,
      ...(site.status?.lastFailover ? { lastFailover: site.status.lastFailover } : {}),
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
    if (now.getTime() >= state.nextProbeAt) {
      state.nextProbeAt = now.getTime() + policy.intervalMs
      const probes = await probeSite(siteTargets(site, options.clusterDomain), policy.timeoutMs, io)
      state.heartbeat.probes = probes
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
    await writeStatus(site, state, policy)
    return { requeueAfterMs: Math.max(1, state.nextProbeAt - io.now().getTime()) }
  }

  /** After the flip: poll the takeovers until every agent re-signed-in or the deadline, then the timeline. */
  const followTakeovers = async (site: Cached<Site>, state: Tracked) => {
    const { record, takeovers } = state.heartbeat
    const failover = record.failover
    if (!failover?.flipped || state.lastFailover?.id === failover.id) return
    const loginUrls = new Map(survivorsOf(site).map((s) => [s.site, s.loginUrl]))
    const views = (
      await Promise.all(
        takeovers.map(async (t) => {
          const url = loginUrls.get(t.site)
          if (!url) return []
          try {
            return [await io.login.report(url, t.id)]
          } catch (error) {
            log.warn({ site: objectKey(site), survivor: t.site, err: (error as Error).message }, 'takeover report unavailable')
            return []
          }
        }),
      )
    ).flat()
    const expected = informers.agentSeats.store.byIndex('homeSite', scoped(site, site.metadata.name)).map((seat) => seat.spec.agentId)
    const progress = takeoverProgress(views, expected)
    const overdue = io.now().getTime() - Date.parse(failover.flipped) >= deadlineMs
    if (!progress.complete && !overdue) return
    const summary = await finishFailover(site.metadata.name, failover, progress.agents, options.io.reports)
    state.lastFailover = summary
    const p99 = summary.reloginMilliseconds?.p99
    await events.record(site, {
      type: summary.agentsLost ? 'Warning' : 'Normal',
      reason: 'FailoverCompleted',
      action: 'Failover',
      note: `${summary.agentsMoved ?? 0} agents moved, ${summary.agentsLost ?? 0} lost${p99 === undefined ? '' : `, re-login p99 ${p99} ms`}${summary.report ? `; report ${summary.report}` : ''}`,
    })
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
          ...(away ? { trafficShare: 0 } : {}),
        }
      : { health: 'Unknown' }
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
        case 'confirm':
          for (const source of await edgesConfirmingDown(name, this.survivors, this.policy.timeoutMs, io)) {
            await this.observe({ kind: 'confirmation', at: io.now(), source, down: true })
          }
          return
        case 'flip': {
          const edges = await setSiteAtSurvivors(name, 'inactive', this.survivors, io)
          const started = await startTakeovers(name, this.survivors, this.state.heartbeat.takeovers, io)
          this.state.heartbeat.takeovers = started.takeovers
          const failures = [...edges.failures, ...started.failures]
          if (failures.length > 0) {
            await events.record(this.site, { type: 'Warning', reason: 'FlipIncomplete', action: 'Failover', note: failures.join('; ') })
          }
          if (!edges.done) return // flipped again at the next probe
          await this.observe({ kind: 'flipped', at: io.now() })
          await writeTrunkRoutes(this.site)
          return
        }
        case 'restore': {
          const edges = await setSiteAtSurvivors(name, 'active', this.survivors, io)
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
          return
        }
      }
    }
  }

  return reconcile
}
