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
// A destination disabled by hand is the edge's opinion only while the site is meant to take traffic:
// then it was a failover flip (by an operator that died before recording it, say). A site drained or
// fenced on purpose is disabled everywhere, which says nothing about its health.
export function edgeSeesSiteDown(destinations: readonly EdgeDestination[], site: string, planned: boolean): boolean {
  const judged = destinations.filter((d) => d.site === site && !(planned && d.state === 'disabled'))
  return judged.length > 0 && judged.every((d) => d.state !== 'active')
}
