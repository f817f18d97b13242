// Pure: what of a Site's or SkillGroup's spec is in effect. A change that would leave the call center
// with no site serving waits until the hold controller lets it go ahead (admit.ts) and records that in
// status.admitted; a pin to a site that does not serve waits in the pinning controller, which records the
// pin in effect in status.pinning.site. Whatever acts on traffic, drills, pins or a deletion (edges, login
// services, the projection into Redis, the ACDs, the drill runner, the Site's finalizer) reads these,
// never the spec directly.
import type { Site, SkillGroup } from '../../../crds/types.ts'
import type { DrillScenario } from '../../failover/drill.ts'
import type { KubeObject } from '../../runtime/resource.ts'

export type Traffic = NonNullable<Site['spec']['traffic']>
export type Admitted = NonNullable<NonNullable<Site['status']>['admitted']>

/** On a Site or SkillGroup: lets a held action go ahead although it leaves nothing serving; the value says why. */
export const ALLOW_BLACKOUT_ANNOTATION = 'callcenter.dev/allow-blackout'

/** The reason given with the allow-blackout annotation, when there is one (a blank value is none). */
export function blackoutAllowed(object: Pick<KubeObject, 'metadata'>): string | undefined {
  const reason = object.metadata.annotations?.[ALLOW_BLACKOUT_ANNOTATION]?.trim()
  return reason === undefined || reason === '' ? undefined : reason.slice(0, 256)
}

/**
 * Whether a drill of this scenario takes its site out of service. SiteDown and SoftswitchDown stop what
 * carries the calls; EdgeDown and LoginDown stop the site's way in for calls and for its agents, which
 * only another site's edge or login service could make up for; Partition has the site failed over by
 * its peers. HeartbeatLoss only hides the site's probes: it keeps serving.
 */
export function takesSiteOut(scenario: DrillScenario): boolean {
  return scenario !== 'HeartbeatLoss'
}

/** What the operator has let go ahead: status.admitted; a site it never decided for keeps its spec.traffic (as before holds). */
export function admittedOf(site: Site): Admitted {
  return site.status?.admitted ?? { traffic: site.spec.traffic ?? 'Active', since: site.metadata.creationTimestamp ?? '' }
}

/** The traffic in effect for these admitted facts: a site whose deletion went ahead drains, unless Fenced. */
export function trafficOf(admitted: Admitted): Traffic {
  return admitted.deletion !== undefined && admitted.traffic === 'Active' ? 'Drain' : admitted.traffic
}

export function trafficInEffect(site: Site): Traffic {
  return trafficOf(admittedOf(site))
}

/** The Site as what acts on its traffic sees it: spec.traffic is the traffic in effect. */
export function siteInEffect<T extends Site>(site: T): T {
  const traffic = trafficInEffect(site)
  return traffic === (site.spec.traffic ?? 'Active') ? site : { ...site, spec: { ...site.spec, traffic } }
}

/** Whether spec.drill may start: one that takes the site out of service only once it was let go ahead. */
export function drillMayStart(site: Site): boolean {
  const drill = site.spec.drill
  if (drill === undefined) return false
  return !takesSiteOut(drill.scenario) || site.status?.admitted?.drill === drill.name
}

/** The site a SkillGroup is pinned to in effect: the pin the pinning controller acted on; none while the pin is held. */
export function pinnedSiteInEffect(group: SkillGroup): string | undefined {
  return group.status?.pinning?.site
}

/** The SkillGroup as the ACDs see it: spec.pinnedSite is the pin in effect. */
export function groupInEffect<T extends SkillGroup>(group: T): T {
  const pinnedSite = pinnedSiteInEffect(group)
  if (pinnedSite === group.spec.pinnedSite) return group
  const spec = { ...group.spec, pinnedSite }
  if (pinnedSite === undefined) delete spec.pinnedSite
  return { ...group, spec }
}
