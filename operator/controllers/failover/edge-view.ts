// Pure: the second, independent opinion on a suspect site. Each surviving edge's Kamailio probes the
// suspect site's soft switches with its own OPTIONS, from another host over another path; when none of
// them is active there, that edge confirms the site down.
//
// An edge that still shows a destination active gives no opinion rather than clearing the suspicion:
// its view lags the fault by up to its probing interval, so "active" is not evidence the site is up
// now. The primary probe answering again is what clears a suspicion (jitter never flips: it gets no
// confirmation).
import type { EdgeDestination } from '../../../workloads/edge/index.ts'

//
// A destination disabled by hand (an operator's flip or a planned Drain/Fence) says nothing about the
// site's health: only Kamailio's own probing (inactive, or trying after a failed ping) is an opinion.
export function edgeSeesSiteDown(destinations: readonly EdgeDestination[], site: string): boolean {
  const probed = destinations.filter((d) => d.site === site && d.state !== 'disabled')
  return probed.length > 0 && probed.every((d) => d.state !== 'active')
}
