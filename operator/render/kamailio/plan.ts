// The routing plan of one edge, decided from Sites, Trunks and the resolved soft-switch addresses:
// which dispatcher sets exist, what each destination weighs and in which order they are tried.
//
// Sets (Kamailio's dispatcher, algorithm 9: weight = percent of calls, cycled exactly per 100 calls):
// - one "site-first" set per site (ids 1, 2, ... in site-name order): that site's soft switches share
//   100 % of the calls, every other site's soft switches follow with weight 0 as fallback. Calls whose
//   caller matches a Trunk prefix rule go to the rule's site-first set.
// - one "split" set per trunk (ids 101, 102, ... in trunk-name order): each site's soft switches share
//   the trunk's weight for that site. Sites are ordered by priority: sites with weight first, the
//   edge's own site first among them when the trunk is local-first, then by weight and name; sites with
//   weight 0 last (Kamailio only honours weights when the first destination has one).
// The order matters twice: a destination that is inactive or disabled passes its turn to the next one
// in the set, and a call that fails (timeout, 5xx) tries the following destinations in set order.
// Soft switches are probed (flag 8); those of sites whose traffic is Drain or Fenced are rendered
// disabled (flag 4): they take no new calls and are not probed.
import type { Site, Trunk } from '../../../crds/types.ts'
import type { EdgeRenderInput, SoftswitchAddress } from './model.ts'
import { splitEvenly } from './weights.ts'

export const SITE_SET_BASE = 1
export const TRUNK_SET_BASE = 101
/** Dispatcher destination flags: probed with OPTIONS; administratively disabled (not probed, takes no calls). */
export const PROBING_FLAG = 8
export const DISABLED_FLAG = 4

export interface PlannedDestination {
  site: string
  name: string
  uri: string
  weight: number
  priority: number
  flags: number
}

export interface PlannedSet {
  id: number
  description: string
  destinations: PlannedDestination[]
}

export interface TrunkRoute {
  trunk: string
  carrier: string
  /** The SkillGroup the trunk's calls queue in, named to the soft switch in a header. */
  skillGroup?: string
  /** Called numbers (DIDs) without a leading '+': an INVITE to one of them is this trunk's inbound call. */
  numbers: string[]
  /** Longest prefix first. */
  prefixRules: { prefix: string; site: string; setId: number }[]
  splitSetId: number
  /** e.g. "shanghai=60 nantong=40". */
  split: string
}

export interface EdgePlan {
  sets: PlannedSet[]
  trunkRoutes: TrunkRoute[]
  siteSetIds: Record<string, number>
}

const byName = <T extends { metadata: { name: string } }>(a: T, b: T) => a.metadata.name.localeCompare(b.metadata.name)

export function softswitchUri(address: SoftswitchAddress): string {
  return `sip:${address.host}:${address.port}`
}

export function normalizeNumber(number: string): string {
  return number.startsWith('+') ? number.slice(1) : number
}

function isTakingCalls(site: Site | undefined): boolean {
  return (site?.spec.traffic ?? 'Active') === 'Active'
}

function destinationsOf(
  input: EdgeRenderInput,
  sitesByName: Map<string, Site>,
  site: string,
  weight: number,
  priority: number,
): PlannedDestination[] {
  const servers = [...(input.softswitches[site] ?? [])].sort((a, b) => a.name.localeCompare(b.name))
  const weights = splitEvenly(weight, servers.length)
  const flags = isTakingCalls(sitesByName.get(site)) ? PROBING_FLAG : DISABLED_FLAG
  return servers.map((server, index) => ({
    site,
    name: server.name,
    uri: softswitchUri(server),
    weight: weights[index] ?? 0,
    priority,
    flags,
  }))
}

function siteFirstSets(input: EdgeRenderInput, siteNames: string[], sitesByName: Map<string, Site>): PlannedSet[] {
  return siteNames.map((site, index) => {
    const fallbacks = siteNames.filter((other) => other !== site).sort((a, b) => Number(b === input.site) - Number(a === input.site))
    const order = [site, ...fallbacks]
    return {
      id: SITE_SET_BASE + index,
      description: `site ${site} first, then ${fallbacks.join(', ') || 'nothing'} as fallback`,
      destinations: order.flatMap((name, rank) => destinationsOf(input, sitesByName, name, name === site ? 100 : 0, order.length - rank)),
    }
  })
}

function trunkSiteOrder(trunk: Trunk, localSite: string): Trunk['spec']['sites'] {
  const localFirst = trunk.spec.routing?.localFirst ?? true
  return [...trunk.spec.sites].sort(
    (a, b) =>
      Number(b.weight > 0) - Number(a.weight > 0) ||
      (localFirst ? Number(b.site === localSite) - Number(a.site === localSite) : 0) ||
      b.weight - a.weight ||
      a.site.localeCompare(b.site),
  )
}

function trunkSplitSet(input: EdgeRenderInput, trunk: Trunk, id: number, sitesByName: Map<string, Site>): PlannedSet {
  const order = trunkSiteOrder(trunk, input.site)
  const localFirst = trunk.spec.routing?.localFirst ?? true
  return {
    id,
    description: `trunk ${trunk.metadata.name} (${trunk.spec.carrier}) split ${splitSummary(order)}${localFirst ? ', local first' : ''}`,
    destinations: order.flatMap((entry, rank) => destinationsOf(input, sitesByName, entry.site, entry.weight, order.length - rank)),
  }
}

function splitSummary(sites: Trunk['spec']['sites']): string {
  return sites.map((s) => `${s.site}=${s.weight}`).join(' ')
}

export function planEdge(input: EdgeRenderInput): EdgePlan {
  const sitesByName = new Map(input.sites.map((site) => [site.metadata.name, site]))
  const siteNames = [...input.sites]
    .sort(byName)
    .map((site) => site.metadata.name)
    .filter((name) => (input.softswitches[name] ?? []).length > 0)
  const siteSets = siteFirstSets(input, siteNames, sitesByName)
  const siteSetIds = Object.fromEntries(siteNames.map((name, index) => [name, SITE_SET_BASE + index]))
  const trunks = [...input.trunks].sort(byName)
  const trunkSets = trunks.map((trunk, index) => trunkSplitSet(input, trunk, TRUNK_SET_BASE + index, sitesByName))
  const trunkRoutes = trunks.map((trunk, index) => ({
    trunk: trunk.metadata.name,
    carrier: trunk.spec.carrier,
    ...(trunk.spec.skillGroup === undefined ? {} : { skillGroup: trunk.spec.skillGroup }),
    numbers: (trunk.spec.numbers ?? []).map(normalizeNumber),
    prefixRules: [...(trunk.spec.routing?.prefixRules ?? [])]
      .sort((a, b) => b.prefix.length - a.prefix.length || a.prefix.localeCompare(b.prefix))
      .flatMap((rule) => {
        const setId = siteSetIds[rule.site]
        return setId === undefined ? [] : [{ prefix: rule.prefix, site: rule.site, setId }]
      }),
    splitSetId: TRUNK_SET_BASE + index,
    split: splitSummary(trunk.spec.sites),
  }))
  return { sets: [...siteSets, ...trunkSets], trunkRoutes, siteSetIds }
}
