// The hold controller: no patch may leave the call center without a serving site. For every Site of a
// namespace at once it decides which changes of their spec go ahead and which are held (admit.ts), and
// writes status.admitted (what is in effect, read by everything that acts on traffic, drills and the
// deletion: effective.ts) and the Held condition, with an Event for each hold, release and override.
//
// One worker, and each round decides from one snapshot without waiting in between, so two Sites asked to
// go at the same moment are decided together: one goes, one is held. This operator's own latest decisions
// are the truth while it leads (the cache may not show its writes yet); a new leader decides from status.
import type { Site } from '../../../crds/types.ts'
import { Applier, contentHash, FIELD_MANAGER } from '../../runtime/apply.ts'
import { setConditions, type Condition } from '../../runtime/conditions.ts'
import { Controller, type Reconciler } from '../../runtime/controller.ts'
import type { EventRecorder } from '../../runtime/events.ts'
import type { KubeClient } from '../../runtime/kube-client.ts'
import type { Logger } from '../../runtime/log.ts'
import type { OperatorMetrics } from '../../runtime/metrics.ts'
import { objectKey, splitKey } from '../../runtime/resource.ts'
import type { StatusWriter } from '../failover/io.ts'
import { types, type Cached } from '../kinds.ts'
import type { Informers } from '../validation.ts'
import { decideAdmissions } from './admit.ts'
import { blackoutAllowed, type Admitted } from './effective.ts'
import { HELD_CONDITION, heldEvent, siteHeldCondition } from './held-condition.ts'

export const HOLD_FIELD_MANAGER = `${FIELD_MANAGER}-hold`

export interface HoldOptions {
  informers: Pick<Informers, 'sites'>
  status: StatusWriter
  events: Pick<EventRecorder, 'record'>
  log: Logger
  metrics: OperatorMetrics
  now?: () => Date
  /** With --site: this operator runs only its own site's drills (serving.ts). */
  ownSite?: string
}

/** What the controller last wrote for a Site (or found written). */
interface Written {
  uid: string | undefined
  admitted: Admitted | undefined
  held: Condition | undefined
}

/** The facts a round reads from a Site: an update that changes none of them changes no decision. */
function holdFacts(site: Site): string {
  const { generation, deletionTimestamp } = site.metadata
  const { admitted, heartbeat, lastDrill, conditions } = site.status ?? {}
  return contentHash({
    generation,
    deletionTimestamp,
    allow: blackoutAllowed(site),
    admitted,
    failedOver: heartbeat?.failedOver,
    drill: lastDrill && { name: lastDrill.name, state: lastDrill.state, scenario: lastDrill.scenario },
    held: conditions?.find((c) => c.type === HELD_CONDITION),
  })
}

export function holdController(options: HoldOptions): Controller<Cached<Site>> {
  return new Controller<Cached<Site>>({
    name: 'hold',
    primary: options.informers.sites,
    relevant: (previous, site) => holdFacts(previous) !== holdFacts(site),
    log: options.log,
    metrics: options.metrics,
    workers: 1,
    reconcile: holdReconciler(options),
  })
}

/** Status under the hold controller's own field manager, beside the other controllers' keys and conditions. */
export function holdStatusWriter(client: KubeClient): StatusWriter {
  const applier = new Applier(client)
  return { applyStatus: (type, live, status) => applier.applyStatus(type, live, status, HOLD_FIELD_MANAGER) }
}

/** The reconcile of one Site key: a round over the Sites of its namespace. */
export function holdReconciler(options: HoldOptions): Reconciler {
  const { informers, events, log } = options
  const now = options.now ?? (() => new Date())
  const memory = new Map<string, Written>()

  const recorded = (site: Site): Written => {
    const remembered = memory.get(objectKey(site))
    if (remembered !== undefined && remembered.uid === site.metadata.uid) return remembered
    return {
      uid: site.metadata.uid,
      admitted: site.status?.admitted,
      held: site.status?.conditions?.find((c) => c.type === HELD_CONDITION),
    }
  }

  return async (key) => {
    const { namespace } = splitKey(key)
    if (informers.sites.store.get(key) === undefined) memory.delete(key)
    const sites = informers.sites.store.list().filter((s) => s.metadata.namespace === namespace)
    if (sites.length === 0) return undefined
    const at = now()
    const decisions = decideAdmissions({
      sites: sites.map((site) => ({ site, admitted: recorded(site).admitted })),
      now: at,
      drillsRunHere: (name) => options.ownSite === undefined || options.ownSite === name,
    })
    for (const site of sites) {
      const name = site.metadata.name
      const decision = decisions.get(name)
      if (decision === undefined) continue
      const before = recorded(site)
      const wanted = siteHeldCondition(name, decision, before.held)
      const held = wanted && setConditions(before.held && [before.held], [wanted], site.metadata.generation, at)[0]
      if (contentHash([before.admitted, before.held]) === contentHash([decision.admitted, held])) continue
      await options.status.applyStatus(types.site, site, { admitted: decision.admitted, ...(held ? { conditions: [held] } : {}) })
      memory.set(objectKey(site), { uid: site.metadata.uid, admitted: decision.admitted, held })
      if (decision.overridden) {
        log.warn(
          { site: objectKey(site), allowBlackout: decision.overridden.reason, went: decision.overridden.what },
          'hold overridden: nothing else serves',
        )
      } else if (decision.held.length > 0) {
        log.info({ site: objectKey(site), held: decision.held }, 'held: the last serving site')
      }
      const event = heldEvent(before.held, wanted)
      if (event) await events.record(site, event)
    }
    return undefined
  }
}
