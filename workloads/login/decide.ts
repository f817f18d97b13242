// Pure: from what the projection says about an agent and the PC it signs in from, decide whether it may
// sign in at this site, with which extension and from which operator-ID pools — or why not.
import type { ProjectedAgentSeat, ProjectedPhone, ProjectedPool } from '../lib/projection/decode.ts'
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
