// The reconcile of one SkillGroup for planned switchover by skill group (spec.pinnedSite): the pinned
// site's login service takes the group's agents over from every other site with a drain takeover
// limited to the group (each agent moves after its current call), and status.pinning records how far
// it got. The other sites' ACDs send the group's calls to the pinned site by themselves (they read
// pinnedSite from the projection). Unpinning moves nobody back.
import type { ReconcileResult } from '../../runtime/controller.ts'
import { types } from '../kinds.ts'
import { siteTargets } from '../failover/targets.ts'
import { movesComplete, plannedTakeoverKey, planPinning, type PinningRecord } from './decide.ts'
import { startAndFollowTakeovers } from './io.ts'
import type { PlannedOptions } from './options.ts'

export function pinningReconciler(options: PlannedOptions): (key: string) => Promise<ReconcileResult | undefined> {
  const { informers, io, events, clusterDomain, ownSite } = options
  const resyncMs = options.resyncMs ?? 10_000
  const memory = new Map<string, PinningRecord>()

  return async (key) => {
    const group = informers.skillGroups.store.get(key)
    if (!group) {
      memory.delete(key)
      return undefined
    }
    const name = group.metadata.name
    const pinnedSite = group.spec.pinnedSite
    const sites = informers.sites.store.list().filter((s) => s.metadata.namespace === group.metadata.namespace)
    const pinned = sites.find((s) => s.metadata.name === pinnedSite)
    const now = io.now()
    const plan = planPinning({
      pinnedSite,
      recorded: memory.get(key) ?? group.status?.pinning,
      from: sites.map((s) => s.metadata.name),
      acting: pinned !== undefined && (ownSite === undefined || ownSite === pinnedSite),
      now,
    })
    if (plan.record === undefined) return undefined
    let record = plan.record
    if (plan.began) {
      await events.record(group, {
        type: 'Normal',
        reason: pinnedSite === undefined ? 'Unpinned' : 'Pinned',
        action: 'PlannedSwitchover',
        note:
          pinnedSite === undefined
            ? `SkillGroup ${name} is served at every site again; agents stay where they are`
            : `SkillGroup ${name} pinned to site ${pinnedSite}: the other sites send its calls there and its agents move there after their current call`,
      })
    }

    const failures: string[] = []
    if (pinnedSite !== undefined && pinned === undefined)
      failures.push(`no Site ${pinnedSite} in namespace ${group.metadata.namespace ?? ''}`)
    const loginUrl = pinned === undefined ? undefined : siteTargets(pinned, clusterDomain).loginUrl
    const since = record.since
    const starts = plan.start.map((wanted) => ({
      wanted,
      request: {
        failedSite: wanted.site,
        mode: 'drain' as const,
        skillGroups: [name],
        key: plannedTakeoverKey(`pin-${name}`, since, wanted),
      },
    }))
    // Every takeover of a pinning runs at the pinned site's login service.
    const followed = await startAndFollowTakeovers(io, record.takeovers ?? [], starts, () => loginUrl)
    failures.push(...followed.failures)
    if (followed.takeovers.length > 0 && loginUrl !== undefined) record = { ...record, takeovers: followed.takeovers, ...followed.progress }
    const message = failures.join('; ').slice(0, 1024)
    if (message === '') delete record.message
    else {
      record.message = message
      await events.record(group, { type: 'Warning', reason: 'PinningIncomplete', action: 'PlannedSwitchover', note: message })
    }

    memory.set(key, record)
    await io.status.applyStatus(types.skillGroup, group, { pinning: record })
    if (pinnedSite === undefined) return undefined
    // Takeovers just started have not told anyone yet (that happens a moment later): follow them at least once.
    const settled = failures.length === 0 && plan.start.length === 0 && movesComplete(record)
    return settled ? undefined : { requeueAfterMs: resyncMs }
  }
}
