// Pure: which surviving sites this operator acts at. Without --site one operator acts for every site.
// With --site (one operator per site cluster, each cluster holding every Site and Trunk) the survivor
// acts for itself: when another site fails, the operator flips only its own site's edges and starts the
// takeover only at its own site's login service; the other survivors' operators do the same in their
// clusters. A failure of its own site it judges and records, but acts on nowhere (its peers do), and it
// follows no takeover of it: the failover's timeline is written in the survivors' clusters.
import type { SiteTargets } from './targets.ts'

/** The surviving sites whose edges and login service this operator changes when `failed` fails. */
export function actingSurvivors(failed: string, survivors: readonly SiteTargets[], ownSite: string | undefined): SiteTargets[] {
  if (ownSite === undefined) return [...survivors]
  if (failed === ownSite) return []
  return survivors.filter((s) => s.site === ownSite)
}

/** Whether this operator follows the takeovers of `failed`'s agents and writes its lastFailover. */
export function recordsFailoverOf(failed: string, ownSite: string | undefined): boolean {
  return ownSite === undefined || failed !== ownSite
}
