// The planned-switchover controllers: one per Site (spec.traffic Drain / Fenced / Active) and one per
// SkillGroup (spec.pinnedSite). A SkillGroup is looked at again when the Site it is pinned to changes.
import type { Site, SkillGroup } from '../../../crds/types.ts'
import { Controller } from '../../runtime/controller.ts'
import { objectKey } from '../../runtime/resource.ts'
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
    specChangesOnly: true,
    log,
    metrics,
    workers: 2,
    reconcile: pinningReconciler(options),
  })
  groups.watch({
    informer: informers.sites,
    map: (site) => informers.skillGroups.store.byIndex('site', scoped(site, site.metadata.name)).map(objectKey),
    specChangesOnly: true,
  })
  return [sites, groups]
}
