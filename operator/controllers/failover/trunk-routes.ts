// Pure: a Trunk's route status when some of its sites are flipped away: those routes Inactive, their
// share spread over the others in proportion to their weights. lastFlip changes only with the routes.
import type { Trunk } from '../../../crds/types.ts'
import { contentHash } from '../../runtime/apply.ts'

type TrunkStatus = NonNullable<Trunk['status']>
export type TrunkRouteStatus = Pick<TrunkStatus, 'routes' | 'routeSummary' | 'lastFlip'>

export function trunkRouteStatus(trunk: Trunk, away: ReadonlyMap<string, string>, now: Date): TrunkRouteStatus {
  const serving = trunk.spec.sites.filter((s) => !away.has(s.site))
  const servingWeight = serving.reduce((sum, s) => sum + s.weight, 0)
  const shares = new Map(serving.map((s) => [s.site, servingWeight === 0 ? 0 : Math.floor((s.weight * 100) / servingWeight)]))
  const first = serving[0]
  if (first && servingWeight > 0)
    shares.set(first.site, (shares.get(first.site) ?? 0) + 100 - [...shares.values()].reduce((a, b) => a + b, 0))
  const routes = trunk.spec.sites.map((s) => {
    const reason = away.get(s.site)
    return reason === undefined
      ? { site: s.site, state: 'Active' as const, effectiveWeight: shares.get(s.site) ?? 0 }
      : { site: s.site, state: 'Inactive' as const, effectiveWeight: 0, reason }
  })
  const previous = trunk.status
  const unchanged = contentHash(previous?.routes ?? defaultRoutes(trunk)) === contentHash(routes)
  const reasons = [...new Set(routes.flatMap((r) => (r.reason ? [r.reason] : [])))]
  const lastFlip =
    unchanged && previous?.lastFlip
      ? previous.lastFlip
      : unchanged
        ? undefined
        : { time: now.toISOString(), reason: reasons.length > 0 ? reasons.join('; ') : 'every site serves again' }
  return {
    routes,
    routeSummary: routes.map((r) => `${r.site}=${r.effectiveWeight}`).join(' '),
    ...(lastFlip ? { lastFlip } : {}),
  }
}

function defaultRoutes(trunk: Trunk) {
  return trunk.spec.sites.map((s) => ({ site: s.site, state: 'Active' as const, effectiveWeight: s.weight }))
}
