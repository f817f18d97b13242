// Pure: which of a namespace's site changes go ahead and which are held, so that no patch leaves the
// call center without a serving site. A change here is what a Site's spec asks beyond what is in effect
// (status.admitted): spec.traffic, a drill that takes the site out of service, its deletion.
//
// One round decides every site of the namespace from one snapshot, in two passes:
// 1. changes that leave the serving sites as they are go ahead: the site does not serve anyway, or it
//    still serves afterwards (back to Active, Drain to Fenced, a HeartbeatLoss drill);
// 2. changes that take a serving site out go ahead, one site after another in name order, while another
//    site still serves with every change let go ahead so far; else the allow-blackout annotation lets
//    them go ahead, or they are held. Deleting every site of the namespace (a teardown) is not held.
// So two sites asked to go at once: the first by name goes, the other is held. What went ahead before
// counts as in effect: the caller passes its own latest decisions (the cache may not show them yet), or,
// after a restart, status.admitted. A held change goes ahead in a later round, once another site serves.
import type { Site } from '../../../crds/types.ts'
import { admittedOf, blackoutAllowed, takesSiteOut, type Admitted } from './effective.ts'
import { describeOutOfService, outOfService } from './serving.ts'

export interface AdmissionInput {
  site: Site
  /** What is in effect: the caller's latest decision, else status.admitted; undefined: never decided. */
  admitted: Admitted | undefined
}

export interface SiteState {
  name: string
  serving: boolean
  /** "serving", "Fenced", "failed over", "in drill q3 (SiteDown)", ... */
  state: string
}

export interface Decision {
  /** What is in effect after this round (status.admitted). */
  admitted: Admitted
  /** What went ahead in this round, e.g. ["spec.traffic Fenced"]. */
  went: string[]
  /** What the spec asks that is held, e.g. ["drill q3 (SiteDown)"]; empty when nothing is. */
  held: string[]
  /** What went ahead in this round only because of the allow-blackout annotation, with its reason. */
  overridden?: { reason: string; what: string[] }
  /** The other sites of the namespace after this round, by name. */
  others: SiteState[]
}

const stamp = (now: Date) => now.toISOString().replace(/\.\d+Z$/, 'Z')

/** What the spec asks for, as admitted facts. */
function asked(site: Site, current: Admitted, since: string): Admitted {
  const drill = site.spec.drill
  const drillName = drill !== undefined && takesSiteOut(drill.scenario) ? drill.name : current.drill
  const deletion = site.metadata.deletionTimestamp !== undefined ? (current.deletion ?? since) : current.deletion
  return {
    traffic: site.spec.traffic ?? 'Active',
    ...(drillName === undefined ? {} : { drill: drillName }),
    ...(deletion === undefined ? {} : { deletion }),
    since,
  }
}

/** The asked changes in words: what goes ahead or is held. */
function changes(site: Site, from: Admitted, to: Admitted): string[] {
  const drill = site.spec.drill
  const scenario = drill !== undefined && drill.name === to.drill ? ` (${drill.scenario})` : ''
  return [
    ...(from.traffic !== to.traffic ? [`spec.traffic ${to.traffic}`] : []),
    ...(from.drill !== to.drill ? [`drill ${to.drill ?? ''}${scenario}`] : []),
    ...(from.deletion !== to.deletion ? ['the deletion'] : []),
  ]
}

export function decideAdmissions(input: {
  sites: readonly AdmissionInput[]
  now: Date
  /** Whether this operator runs the named site's drills (serving.ts); default every site's. */
  drillsRunHere?: (site: string) => boolean
}): Map<string, Decision> {
  const since = stamp(input.now)
  const runsHere = input.drillsRunHere ?? (() => true)
  const sites = [...input.sites].sort((a, b) => a.site.metadata.name.localeCompare(b.site.metadata.name))
  const current = new Map(sites.map(({ site, admitted }) => [site.metadata.name, admitted ?? { ...admittedOf(site), since }]))
  const went = new Map<string, string[]>()
  const overridden = new Map<string, { reason: string; what: string[] }>()
  const held = new Map<string, string[]>()
  const effect = (site: Site): Admitted => current.get(site.metadata.name) ?? admittedOf(site)
  const whyOut = (site: Site, admitted = effect(site)) => outOfService(site, admitted, runsHere(site.metadata.name))
  const pending = (site: Site) => {
    const from = effect(site)
    const to = asked(site, from, since)
    return { from, to, what: changes(site, from, to) }
  }
  const goAhead = (site: Site, to: Admitted, what: string[], override?: string) => {
    current.set(site.metadata.name, override === undefined ? to : { ...to, override })
    went.set(site.metadata.name, what)
    if (override !== undefined) overridden.set(site.metadata.name, { reason: override, what })
  }

  for (const { site } of sites) {
    const { to, what } = pending(site)
    if (what.length === 0) continue
    if (whyOut(site) !== undefined || whyOut(site, to) === undefined) goAhead(site, to, what)
  }
  for (const { site } of sites) {
    const { to, what } = pending(site)
    if (what.length === 0) continue
    const others = sites.filter((other) => other.site !== site).map((other) => other.site)
    const anotherServes = others.some((other) => whyOut(other) === undefined)
    const teardown = to.deletion !== undefined && others.every((other) => other.metadata.deletionTimestamp !== undefined)
    const override = blackoutAllowed(site)
    if (anotherServes || teardown) goAhead(site, to, what)
    else if (override !== undefined) goAhead(site, to, what, override)
    else held.set(site.metadata.name, what)
  }

  const stateOf = (site: Site): SiteState => {
    const why = whyOut(site)
    return { name: site.metadata.name, serving: why === undefined, state: why === undefined ? 'serving' : describeOutOfService(why) }
  }
  return new Map(
    sites.map(({ site }) => {
      const name = site.metadata.name
      const admitted = effect(site)
      const override = overridden.get(name)
      const decision: Decision = {
        admitted,
        went: went.get(name) ?? [],
        held: held.get(name) ?? [],
        ...(override === undefined ? {} : { overridden: override }),
        others: sites.filter((other) => other.site !== site).map((other) => stateOf(other.site)),
      }
      return [name, decision]
    }),
  )
}
