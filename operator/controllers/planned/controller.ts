// The planned-switchover controllers: one per Site (spec.traffic Drain / Fenced / Active) and one per
// SkillGroup (spec.pinnedSite). A SkillGroup is looked at again when the Site it is pinned to changes
// its spec or whether it serves.
import type { Site, SkillGroup } from '../../../crds/types.ts'
import { Controller, specChanged } from '../../runtime/controller.ts'
import { objectKey } from '../../runtime/resource.ts'
import { blackoutAllowed } from '../hold/effective.ts'
import { servingState } from '../hold/serving.ts'
import { scoped, type Cached } from '../kinds.ts'
import type { PlannedOptions } from './options.ts'
import { pinningReconciler } from './pinning.ts'
import { switchoverReconciler } from './switchover.ts'

export type { PlannedOptions } from './options.ts'

export function plannedControllers(options: PlannedOptions): [Controller<Cached<Site>>, Controller<Cached<SkillGroup>>] {
  const { informers, log, metrics } = options
  const sites = new Controller<Cached<Site>>({
    name: 'planned-switchover',
    primary: informers.sites,
    log,
    metrics,
    workers: 2,
    reconcile: switchoverReconciler(options),
  })
  const groups = new Controller<Cached<SkillGroup>>({
    name: 'skillgroup-pinning',
    primary: informers.skillGroups,
    relevant: (previous, group) => specChanged(previous, group) || blackoutAllowed(previous) !== blackoutAllowed(group),
    log,
    metrics,
    workers: 2,
    reconcile: pinningReconciler(options),
  })
  // A pin is held while its site does not serve: the groups pinned to a site look again when that changes.
  groups.watch({
    informer: informers.sites,
    map: (site) => informers.skillGroups.store.byIndex('site', scoped(site, site.metadata.name)).map(objectKey),
    relevant: (previous, site) => specChanged(previous, site) || servingState(previous) !== servingState(site),
  })
  return [sites, groups]
}
