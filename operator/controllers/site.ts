// The Site controller: finalizer first, cross-object checks, then status. Provisioning of Managed
// components joins here (see provision.ts once present).
import type { Site } from '../../crds/types.ts'
import { siteProblems } from '../checks/references.ts'
import type { Applier } from '../runtime/apply.ts'
import { Controller } from '../runtime/controller.ts'
import type { EventRecorder } from '../runtime/events.ts'
import type { Logger } from '../runtime/log.ts'
import type { OperatorMetrics } from '../runtime/metrics.ts'
import { objectKey } from '../runtime/resource.ts'
import { scoped, types, type Cached } from './kinds.ts'
import { siteStatus } from './site-status.ts'
import { knownIn, type Informers } from './validation.ts'

export const SITE_FINALIZER = 'callcenter.dev/site-cleanup'

export interface SiteControllerOptions {
  informers: Informers
  applier: Applier
  events: EventRecorder
  log: Logger
  metrics: OperatorMetrics
  /** With --site, this operator provisions only this site (multi-cluster). */
  ownSite?: string
  now?: () => Date
}

export function siteController(options: SiteControllerOptions): Controller<Cached<Site>> {
  const { informers, applier, events } = options
  const now = options.now ?? (() => new Date())
  const controller = new Controller<Cached<Site>>({
    name: 'site',
    primary: informers.sites,
    log: options.log,
    metrics: options.metrics,
    workers: 2,
    reconcile: async (key) => {
      const site = informers.sites.store.get(key)
      if (!site) return undefined
      if (options.ownSite && site.metadata.name !== options.ownSite) return undefined
      if (site.metadata.deletionTimestamp) {
        if (await applier.setFinalizer(types.site, site, SITE_FINALIZER, false)) {
          await events.record(site, { type: 'Normal', reason: 'CleanedUp', action: 'Delete', note: 'every object of the site was removed' })
        }
        return undefined
      }
      if (await applier.setFinalizer(types.site, site, SITE_FINALIZER, true)) return undefined // the update brings us back
      const problems = siteProblems(site, knownIn(informers, site.metadata.namespace))
      const status = siteStatus(
        site,
        { problems, workloads: [], agentsHomed: informers.agentSeats.store.byIndex('homeSite', scoped(site, site.metadata.name)).length },
        now(),
      )
      const previous = site.status?.conditions?.find((c) => c.type === 'Provisioned')
      const provisioned = status.conditions?.find((c) => c.type === 'Provisioned')
      await applier.applyStatus(types.site, site, status)
      if (provisioned?.status === 'False' && (previous?.reason !== provisioned.reason || previous.message !== provisioned.message)) {
        await events.record(site, { type: 'Warning', reason: provisioned.reason, action: 'Validate', note: provisioned.message })
      }
      return undefined
    },
  })
  controller.watch({ informer: informers.agentSeats, map: (seat) => [scoped(seat, seat.spec.homeSite)] })
  controller.watch({
    informer: informers.skillGroups,
    map: (group) => informers.sites.store.byIndex('poolSkillGroup', objectKey(group)).map(objectKey),
  })
  return controller
}
