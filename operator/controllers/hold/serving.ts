// Pure: whether a site serves, and if not, why — in words a person reads in a Held condition. A site
// serves while it is not failed over, its traffic in effect is Active, its deletion has not gone ahead,
// and no drill that takes it out of service runs there or was let start there.
import type { Site } from '../../../crds/types.ts'
import type { DrillScenario } from '../../failover/drill.ts'
import { admittedOf, takesSiteOut, trafficOf, type Admitted } from './effective.ts'

export type OutOfService =
  | { kind: 'failedOver' }
  | { kind: 'traffic'; traffic: 'Drain' | 'Fenced' }
  | { kind: 'deleting' }
  /** starting: let go ahead, not begun yet. */
  | { kind: 'drill'; name: string; scenario?: DrillScenario; starting: boolean }

/**
 * Why the site does not serve with these admitted facts, or undefined while it serves.
 * @param drillsRunHere whether this operator runs the site's drills (with --site only its own site's): a
 * drill let start elsewhere shows in this cluster's copy of the Site only once that operator fails it over.
 */
export function outOfService(site: Site, admitted: Admitted, drillsRunHere = true): OutOfService | undefined {
  if (site.status?.heartbeat?.failedOver === true) return { kind: 'failedOver' }
  if (admitted.deletion !== undefined) return { kind: 'deleting' }
  const traffic = trafficOf(admitted)
  if (traffic !== 'Active') return { kind: 'traffic', traffic }
  const { drill } = site.spec
  const last = site.status?.lastDrill
  if (last !== undefined && (last.state === 'Running' || last.state === 'Restoring')) {
    // A drill recorded before lastDrill kept its scenario: the spec's, when it is the same drill; else assume the worst.
    const scenario = last.scenario ?? (drill?.name === last.name ? drill.scenario : undefined)
    if (scenario === undefined || takesSiteOut(scenario))
      return { kind: 'drill', name: last.name, ...(scenario ? { scenario } : {}), starting: false }
  }
  if (drillsRunHere && drill !== undefined && admitted.drill === drill.name && last?.name !== drill.name && takesSiteOut(drill.scenario)) {
    return { kind: 'drill', name: drill.name, scenario: drill.scenario, starting: true }
  }
  return undefined
}

/** "Fenced", "failed over", "in drill q3 (SiteDown)", ... */
export function describeOutOfService(why: OutOfService): string {
  switch (why.kind) {
    case 'failedOver':
      return 'failed over'
    case 'deleting':
      return 'being deleted'
    case 'traffic':
      return why.traffic === 'Fenced' ? 'Fenced' : 'Drained'
    case 'drill':
      return `${why.starting ? 'starting' : 'in'} drill ${why.name}${why.scenario ? ` (${why.scenario})` : ''}`
  }
}

/** Whether, and why not, the site serves as its status stands: a change of this is a change of what pins to it may do. */
export function servingState(site: Site): string {
  const why = outOfService(site, admittedOf(site))
  return why === undefined ? 'serving' : describeOutOfService(why)
}
