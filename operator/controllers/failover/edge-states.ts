// Pure: which of a site's edges must change which destination site's state so that every edge routes as
// the failovers of the namespace say. A flip or a restore is applied once, to the edges answering then;
// an edge pod that started later (its Kamailio loaded every destination active) or missed the change is
// corrected here, at its site's next probe round.
//
// Only what the failover controller decides is corrected: a site failed over and flipped is inactive
// everywhere but at itself; a site judged Healthy, taking traffic (its traffic in effect Active) and not failed
// over is active where a hand-made disable ('disabled') remains. A site drained or fenced on purpose is
// the planned-switchover controller's; a flip under way, or one made by an operator that died before
// recording it (the site is Suspect or Confirming again), is left to the state machine; and the states
// Kamailio's own OPTIONS probing sets (inactive, trying) are not touched.
import type { EdgeDestination, RouteState } from '../../../workloads/edge/index.ts'
import type { HeartbeatRecord } from '../../failover/heartbeat-types.ts'

export interface SiteRouting {
  name: string
  traffic: 'Active' | 'Drain' | 'Fenced'
  record?: Pick<HeartbeatRecord, 'state' | 'failedOver' | 'failover'>
}

/** The state every edge of `own` should show for each other site it decides. */
export function wantedSiteStates(own: string, sites: readonly SiteRouting[]): Map<string, RouteState> {
  const wanted = new Map<string, RouteState>()
  for (const site of sites) {
    if (site.name === own || site.traffic !== 'Active') continue
    if (site.record?.failedOver === true) {
      if (site.record.failover?.flipped !== undefined) wanted.set(site.name, 'inactive')
    } else if (site.record?.state === 'Healthy') {
      wanted.set(site.name, 'active')
    }
  }
  return wanted
}

export interface EdgeStateChange {
  edge: string
  site: string
  state: RouteState
}

/** The changes that bring each edge (by name, with its destinations) to the wanted states. */
export function edgeStateChanges(
  edges: readonly { edge: string; destinations: readonly EdgeDestination[] }[],
  wanted: ReadonlyMap<string, RouteState>,
): EdgeStateChange[] {
  return edges.flatMap(({ edge, destinations }) =>
    [...wanted].flatMap(([site, state]) => {
      const ofSite = destinations.filter((d) => d.site === site)
      const differs = state === 'inactive' ? ofSite.some((d) => d.state !== 'disabled') : ofSite.some((d) => d.state === 'disabled')
      return differs ? [{ edge, site, state }] : []
    }),
  )
}
