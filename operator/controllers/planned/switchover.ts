// The reconcile of one Site for planned switchover (the traffic in effect: spec.traffic once the hold
// controller let it go ahead, Drain for a site being deleted): the edges stop (or resume) sending
// new calls to the site, the other sites' login services take its agents over with mode drain or fence,
// and status.plannedSwitchover records how far it got. While the site is Drain or Fenced the edges are
// checked again every resync (a failback elsewhere must not send calls to it) and the takeovers followed.
//
// The record in memory is the truth while this operator leads (the cache may not show its last status
// write yet); a new leader starts from status, so takeovers already started are followed, not repeated.
import type { ReconcileResult } from '../../runtime/controller.ts'
import { types } from '../kinds.ts'
import { siteTargets } from '../failover/targets.ts'
import { trafficInEffect } from '../hold/effective.ts'
import { plannedTakeoverKey, planSwitchover, type SwitchoverRecord } from './decide.ts'
import { setSiteAtEdges, startAndFollowTakeovers } from './io.ts'
import type { PlannedOptions } from './options.ts'

interface Memory {
  record: SwitchoverRecord
  nextCheckAt: number
}

export function switchoverReconciler(options: PlannedOptions): (key: string) => Promise<ReconcileResult | undefined> {
  const { informers, io, events, clusterDomain, ownSite } = options
  const resyncMs = options.resyncMs ?? 10_000
  const memory = new Map<string, Memory>()

  return async (key) => {
    const site = informers.sites.store.get(key)
    if (!site) {
      memory.delete(key)
      return undefined
    }
    const name = site.metadata.name
    const now = io.now()
    const remembered = memory.get(key)
    // The traffic in effect: a change to Drain or Fenced that the hold controller holds is not acted on.
    const traffic = trafficInEffect(site)
    const targets = informers.sites.store
      .list()
      .filter((s) => s.metadata.namespace === site.metadata.namespace)
      .map((s) => siteTargets(s, clusterDomain, options.edgePods))
    const acting = ownSite === undefined ? targets : targets.filter((t) => t.site === ownSite)
    const plan = planSwitchover({
      traffic,
      recorded: remembered?.record ?? site.status?.plannedSwitchover,
      failedOver: site.status?.heartbeat?.failedOver ?? false,
      site: name,
      others: acting.map((t) => t.site),
      now,
    })
    if (plan.record === undefined) return undefined
    if (!plan.began && remembered !== undefined && now.getTime() < remembered.nextCheckAt && plan.record.edges !== 'KeptInactive') {
      return { requeueAfterMs: remembered.nextCheckAt - now.getTime() }
    }
    let record = plan.record
    if (plan.began) {
      await events.record(site, {
        type: 'Normal',
        reason: traffic === 'Active' ? 'TrafficRestored' : traffic === 'Drain' ? 'DrainStarted' : 'FenceStarted',
        action: 'PlannedSwitchover',
        note:
          traffic === 'Active'
            ? `site ${name} takes traffic again${plan.edges === 'leave' ? ' once its failover is restored' : ''}`
            : `site ${name}: no new calls; its agents move to the other sites ${traffic === 'Drain' ? 'after their current call' : 'now'}`,
      })
    }

    const failures: string[] = []
    if (plan.edges !== 'leave') {
      const result = await setSiteAtEdges(name, plan.edges, acting, io)
      failures.push(...result.failures)
      const edges = !result.done ? 'Pending' : plan.edges === 'inactive' ? 'Inactive' : 'Active'
      if (result.done && result.changed > 0) {
        await events.record(site, {
          type: 'Normal',
          reason: edges === 'Inactive' ? 'EdgesInactive' : 'EdgesActive',
          action: 'PlannedSwitchover',
          note: `${result.changed} edge(s) ${edges === 'Inactive' ? 'no longer send new calls to' : 'send calls again to'} site ${name}`,
        })
      }
      record = { ...record, edges }
    }

    const loginUrl = new Map(targets.map((t) => [t.site, t.loginUrl]))
    const { mode, start } = plan
    const since = record.since
    const starts =
      mode === undefined
        ? []
        : start.map((wanted) => ({ wanted, request: { failedSite: name, mode, key: plannedTakeoverKey(mode, since, wanted) } }))
    const followed = await startAndFollowTakeovers(io, record.takeovers ?? [], starts, (at) => loginUrl.get(at))
    failures.push(...followed.failures)
    if (followed.takeovers.length > 0) record = { ...record, takeovers: followed.takeovers, ...followed.progress }
    const message = failures.join('; ').slice(0, 1024)
    if (message === '') delete record.message
    else {
      record.message = message
      await events.record(site, { type: 'Warning', reason: 'SwitchoverIncomplete', action: 'PlannedSwitchover', note: message })
    }

    memory.set(key, { record, nextCheckAt: now.getTime() + resyncMs })
    await io.status.applyStatus(types.site, site, { plannedSwitchover: record })
    const settled = traffic === 'Active' && record.edges === 'Active'
    return settled ? undefined : { requeueAfterMs: resyncMs }
  }
}
