// Pure: from what the projection says about an agent and the PC it signs in from, decide whether it may
// sign in at this site, with which extension and from which operator-ID pools — or why not.
import type { ProjectedAgentSeat, ProjectedPhone, ProjectedPool, ProjectedSiteState } from '../lib/projection/decode.ts'
import { candidatePools } from './pools.ts'
import { SignInError } from './errors.ts'

export interface SignInDecision {
  extension: string
  mac: string
  pools: ProjectedPool[]
}

export function decideSignIn(input: {
  site: string
  seat: ProjectedAgentSeat
  pcHostName: string
  phone: ProjectedPhone | null
  pools: ProjectedPool[]
}): SignInDecision | SignInError {
  const { site, seat, pcHostName, phone, pools } = input
  if (seat.allowedSites.length > 0 && !seat.allowedSites.includes(site)) {
    return new SignInError(
      'site-not-allowed',
      `agent ${seat.agentId} may not sign in at site ${site} (allowed: ${seat.allowedSites.join(', ')})`,
    )
  }
  if (phone === null) return new SignInError('unknown-pc', `no phone is known on the switch port of PC ${pcHostName}`)
  const line = phone.extensions.find((item) => item.site === site)
  if (line === undefined) {
    return new SignInError('no-extension', `the phone ${phone.mac} of PC ${pcHostName} has no extension at site ${site}`)
  }
  const candidates = candidatePools(pools, seat.skills)
  if (candidates.length === 0) {
    const groups = seat.skills.map((skill) => skill.skillGroup).join(', ')
    return new SignInError('no-pool', `site ${site} has no operator-ID pool for skill groups ${groups} and no general pool`)
  }
  return { extension: line.extension, mac: phone.mac, pools: candidates }
}

/**
 * How a sign-in arrives: with the password, with a session token this site issued (the agent returns to
 * the site it is signed in at: a lost lease, a move another site refused), or with another site's token.
 */
export type SignInArrival = 'password' | 'own-token' | 'peer-token'

/**
 * Whether a site with this spec.traffic opens a session. Only an Active site takes new agents; a Drained
 * one still takes back its own agents (their token), whom the drain moves once their call ends; a Fenced
 * one takes nobody.
 */
export function siteAdmits(traffic: string, arrival: SignInArrival): boolean {
  if (traffic === 'Active') return true
  return traffic === 'Drain' && arrival === 'own-token'
}

/**
 * The other sites this agent could sign in at, the healthy ones first: Active, not failed, allowed by
 * its AgentSeat and, when its phone is known, where that phone has a line.
 */
export function peerSitesFor(site: string, states: ProjectedSiteState[], seat: ProjectedAgentSeat, phone: ProjectedPhone | null): string[] {
  const usable = (state: ProjectedSiteState) =>
    state.site !== site &&
    state.traffic === 'Active' &&
    state.health !== 'Failed' &&
    (seat.allowedSites.length === 0 || seat.allowedSites.includes(state.site)) &&
    (phone === null || phone.extensions.some((line) => line.site === state.site))
  const rank = (state: ProjectedSiteState) => (state.health === 'Healthy' ? 0 : 1)
  return states
    .filter(usable)
    .sort((a, b) => rank(a) - rank(b) || a.site.localeCompare(b.site))
    .map((state) => state.site)
}

/** The refusal of a sign-in at a site that is not Active, naming where to sign in instead. */
export function closedSiteRefusal(site: string, traffic: string, peers: string[]): SignInError {
  const [code, state] = traffic === 'Fenced' ? (['site-fenced', 'fenced'] as const) : (['site-draining', 'draining'] as const)
  const [best, ...others] = peers
  const instead =
    best === undefined
      ? ': no other site this agent may use is Active'
      : `: sign in at ${best}${others.length > 0 ? ` (or ${others.join(', ')})` : ''}`
  return new SignInError(code, `site ${site} is ${state} (spec.traffic=${traffic})${instead}`)
}
