// Pure: the second, independent opinion on a suspect site. Each surviving edge's Kamailio probes the
// suspect site's soft switches with its own OPTIONS, from another host over another path; when none of
// them is active there, that edge confirms the site down.
//
// An edge that still shows a destination active gives no opinion rather than clearing the suspicion:
// its view lags the fault by up to its probing interval, so "active" is not evidence the site is up
// now. The primary probe answering again is what clears a suspicion (jitter never flips: it gets no
// confirmation).
import type { EdgeDestination } from '../../../workloads/edge/index.ts'

export function edgeSeesSiteDown(destinations: readonly EdgeDestination[], site: string): boolean {
  const ofSite = destinations.filter((d) => d.site === site)
  return ofSite.length > 0 && ofSite.every((d) => d.state !== 'active')
}
