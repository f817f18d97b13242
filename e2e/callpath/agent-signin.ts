// Agents of the harness's fleet signed in over the login service's HTTP API (which tells the site's
// ACD), as a desktop does, with their phone's extension at that site registered through the edge.
import type { SiteName } from '../sites/manifests.ts'
import type { TwoSites } from '../sites/two-sites.ts'
import { registerPhone } from './sipp.ts'

export interface SignedInSeat {
  agentId: string
  extension: string
  site: SiteName
}

/** The fleet indexes of the agents homed at `site`, in fleet order. */
export const homedAt = (sites: TwoSites, site: SiteName): number[] =>
  sites.fleet.agentSeats.flatMap((seat, index) => (seat.spec.homeSite === site ? [index] : []))

/** Signs the fleet's agent `index` in at `site` from its PC, and registers its phone's extension there to `contactPort`. */
export async function signInWithPhone(sites: TwoSites, site: SiteName, index: number, contactPort: number): Promise<SignedInSeat> {
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
  const registered = await registerPhone({
    edge: sites.sites[site].edgeSip,
    domain: site,
    extension,
    password: sites.phonePassword,
    contactPort,
  })
  if (!registered) throw new Error(`${extension} did not register at ${site}`)
  for (let attempt = 0; !(await fetch(`${sites.sites[site].acdUrl}/v1/agents/${agentId}`)).ok; attempt++) {
    if (attempt > 100) throw new Error(`the ACD of ${site} never heard of ${agentId}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { agentId, extension, site }
}
