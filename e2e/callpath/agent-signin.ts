// Agents of the harness's fleet signed in over the login service's HTTP API (which tells the site's
// ACD), as a desktop does, and their phones' lines registered through each site's edge.
import { SITE_NAMES, type SiteName } from '../sites/manifests.ts'
import type { TwoSites } from '../sites/two-sites.ts'
import { registerPhones, type PhoneLine } from './sipp.ts'

export interface SignedInSeat {
  agentId: string
  extension: string
  site: SiteName
}

/** The fleet indexes of the agents homed at `site`, in fleet order. */
export const homedAt = (sites: TwoSites, site: SiteName): number[] =>
  sites.fleet.agentSeats.flatMap((seat, index) => (seat.spec.homeSite === site ? [index] : []))

/**
 * Registers the lines of the fleet's phones `indexes` (default all) at `only` (default every site),
 * each through its site's edge, all answered at contactPort.
 */
export async function registerFleetPhones(
  sites: TwoSites,
  contactPort: number,
  options: { indexes?: readonly number[]; only?: SiteName } = {},
): Promise<void> {
  const phones = options.indexes?.map((index) => sites.fleet.phoneMACs[index]) ?? sites.fleet.phoneMACs
  for (const site of SITE_NAMES.filter((name) => options.only === undefined || name === options.only)) {
    const lines: PhoneLine[] = phones.flatMap(
      (phone) =>
        phone?.spec.extensions
          .filter((line) => line.site === site)
          .map((line) => ({ extension: line.extension, domain: site, password: sites.phonePassword })) ?? [],
    )
    const registered = await registerPhones({ edge: sites.sites[site].edgeSip, lines, contactPort })
    if (registered !== lines.length) throw new Error(`${registered} of ${lines.length} phone lines registered at ${site}`)
  }
}

/** Signs the fleet's agent `index` in at `site` from its PC; resolves once the site's ACD knows the agent. */
export async function signIn(sites: TwoSites, site: SiteName, index: number): Promise<SignedInSeat> {
  const seat = sites.fleet.agentSeats[index]
  const pc = sites.fleet.phoneMACs[index]
  if (seat === undefined || pc === undefined) throw new Error(`the fleet has no agent ${index}`)
  const response = await fetch(`${sites.sites[site].loginUrl}/v1/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: seat.spec.account, password: sites.agentPassword, pcHostName: pc.spec.pcHostName }),
  })
  if (response.status !== 200)
    throw new Error(`${seat.spec.account} could not sign in at ${site}: ${response.status} ${await response.text()}`)
  const { agentId, extension } = (await response.json()) as { agentId: string; extension: string }
  for (let attempt = 0; !(await fetch(`${sites.sites[site].acdUrl}/v1/agents/${agentId}`)).ok; attempt++) {
    if (attempt > 100) throw new Error(`the ACD of ${site} never heard of ${agentId}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { agentId, extension, site }
}

/** signIn, with the agent's phone line at that site registered to contactPort first. */
export async function signInWithPhone(sites: TwoSites, site: SiteName, index: number, contactPort: number): Promise<SignedInSeat> {
  await registerFleetPhones(sites, contactPort, { indexes: [index], only: site })
  return signIn(sites, site, index)
}
