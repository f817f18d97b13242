// The reconcile of one SkillGroup for planned switchover by skill group (spec.pinnedSite): the pinned
// site's login service takes the group's agents over from every other site with a drain takeover
// limited to the group (each agent moves after its current call), and status.pinning records how far
// it got. The other sites' ACDs send the group's calls to the pinned site by themselves (they read the
// pin in effect, status.pinning.site, from the projection). Unpinning moves nobody back.
//
// A pin to a site that does not serve would leave the group nowhere to run: it is held (hold/pin.ts),
// with condition Held and a Warning Event, and the group is served at every site until the site serves
// again; then the pin takes effect by itself, as a new pinning run.
import type { SkillGroup } from '../../../crds/types.ts'
import { contentHash } from '../../runtime/apply.ts'
import { setConditions, type Condition, type ConditionInput } from '../../runtime/conditions.ts'
import type { ReconcileResult } from '../../runtime/controller.ts'
import { types, type Cached } from '../kinds.ts'
import { siteTargets } from '../failover/targets.ts'
import { HELD_CONDITION, heldEvent, pinHeldCondition } from '../hold/held-condition.ts'
import { decidePin } from '../hold/pin.ts'
import { movesComplete, plannedTakeoverKey, planPinning, type PinningRecord } from './decide.ts'
import { startAndFollowTakeovers } from './io.ts'
import type { PlannedOptions } from './options.ts'

interface Memory {
  record?: PinningRecord
  held?: Condition
}

const heldOf = (group: SkillGroup) => group.status?.conditions?.find((c) => c.type === HELD_CONDITION)

export function pinningReconciler(options: PlannedOptions): (key: string) => Promise<ReconcileResult | undefined> {
  const { informers, io, events, log, clusterDomain, ownSite } = options
  const resyncMs = options.resyncMs ?? 10_000
  const memory = new Map<string, Memory>()

  return async (key) => {
    const group = informers.skillGroups.store.get(key)
    if (!group) {
      memory.delete(key)
      return undefined
    }
    const name = group.metadata.name
    const sites = informers.sites.store.list().filter((s) => s.metadata.namespace === group.metadata.namespace)
    const pin = decidePin(
      group,
      sites.find((s) => s.metadata.name === group.spec.pinnedSite),
      ownSite === undefined || ownSite === group.spec.pinnedSite,
    )
    const pinnedSite = pin.inEffect
    const pinned = sites.find((s) => s.metadata.name === pinnedSite)
    const now = io.now()
    const remembered = memory.get(key) ?? { record: group.status?.pinning, held: heldOf(group) }
    const wantedHeld = pinHeldCondition(name, pin, remembered.held)
    const held = wantedHeld && setConditions(remembered.held && [remembered.held], [wantedHeld], group.metadata.generation, now)[0]
    const plan = planPinning({
      pinnedSite,
      recorded: remembered.record,
      from: sites.map((s) => s.metadata.name),
      acting: pinned !== undefined && (ownSite === undefined || ownSite === pinnedSite),
      now,
    })
    const heldChanged = contentHash(held ?? null) !== contentHash(remembered.held ?? null)
    if (plan.record === undefined) {
      // Never pinned in effect: only the hold of the pin asked for, if any, is written.
      if (held !== undefined && heldChanged) await writeStatus(key, group, { conditions: [held] }, { held })
      await recordHeldEvent(group, remembered.held, wantedHeld)
      return undefined
    }
    let record = plan.record
    if (plan.began && pin.held === undefined) {
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
    if (followed.takeovers.length > 0 && loginUrl !== undefined) record = { ...record, takeovers: followed.takeovers, ...followed.progress }
    const message = followed.failures.join('; ').slice(0, 1024)
    if (message === '') delete record.message
    else {
      record.message = message
      await events.record(group, { type: 'Warning', reason: 'PinningIncomplete', action: 'PlannedSwitchover', note: message })
    }

    await writeStatus(key, group, { pinning: record, ...(held ? { conditions: [held] } : {}) }, { record, ...(held ? { held } : {}) })
    await recordHeldEvent(group, remembered.held, wantedHeld)
    if (pinnedSite === undefined) return undefined
    // Takeovers just started have not told anyone yet (that happens a moment later): follow them at least once.
    const settled = followed.failures.length === 0 && plan.start.length === 0 && movesComplete(record)
    return settled ? undefined : { requeueAfterMs: resyncMs }
  }

  async function writeStatus(key: string, group: Cached<SkillGroup>, status: Record<string, unknown>, written: Memory): Promise<void> {
    await io.status.applyStatus(types.skillGroup, group, status)
    memory.set(key, written)
  }

  async function recordHeldEvent(group: Cached<SkillGroup>, previous: Condition | undefined, next: ConditionInput | undefined) {
    const event = heldEvent(previous, next)
    if (event === undefined) return
    if (event.reason === 'BlackoutAllowed') log.warn({ group: group.metadata.name, why: event.note }, 'pin hold overridden')
    await events.record(group, event)
  }
}
