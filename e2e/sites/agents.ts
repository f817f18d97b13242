// The fleet's agents as one AgentSimulator: each signs in at its home site with a standby connection to
// the other site. Every sign-in is time-stamped per agent, so after a failover the time each agent
// needed to sign in at the survivor can be read.
import { AgentSimulator, type StormResult } from '../../workloads/agent/simulator.ts'
import { percentiles, type Percentiles } from '../../workloads/lib/percentiles.ts'
import { SITE_NAMES, type SiteName } from './manifests.ts'
import type { TwoSites } from './two-sites.ts'

export interface SignInFleetOptions {
  /** How many of the fleet's agents (the first ones) sign in; default all. */
  agents?: number
  /** Sign-ins in flight at once; default 100. */
  concurrency?: number
  /** Default 5000 (the simulator's). */
  heartbeatIntervalMs?: number
  /** Failed reconnects to the home site that make an agent sign in at the standby by itself; default 2. */
  lossConfirmations?: number
}

export interface Relogins {
  /** Milliseconds from `since` to each moved agent's sign-in at the survivor. */
  times: number[]
  figures: Percentiles
  /** Accounts homed at the failed site that have not signed in at the survivor since then. */
  missing: string[]
}

export interface SignedInFleet {
  simulator: AgentSimulator
  /** The sign-in storm at the home sites. */
  signIn: StormResult
  /** How many agents are homed at each site. */
  homes: Record<SiteName, number>
  /** The sign-ins at `survivor`, since `since` (epoch ms), of the agents homed at `failedSite`. */
  relogins(failedSite: SiteName, survivor: SiteName, since: number): Relogins
  /** Drops every connection (no sign-out). */
  stop(): void
}

const peerOf = (site: SiteName): SiteName => (site === 'shanghai' ? 'nantong' : 'shanghai')

export async function signInFleet(twoSites: TwoSites, options: SignInFleetOptions = {}): Promise<SignedInFleet> {
  const { fleet } = twoSites
  const count = Math.min(options.agents ?? fleet.agentSeats.length, fleet.agentSeats.length)
  const homeOf = new Map<string, SiteName>()
  const lastSignIn = new Map<string, { site: string; at: number }>()
  const agents = fleet.agentSeats.slice(0, count).map((seat, index) => {
    const home = SITE_NAMES.find((name) => name === seat.spec.homeSite) ?? 'shanghai'
    const pcHostName = fleet.phoneMACs[index]?.spec.pcHostName
    if (pcHostName === undefined) throw new Error(`agent ${seat.spec.agentId} has no phone in the fleet`)
    homeOf.set(seat.spec.account, home)
    return {
      credentials: { account: seat.spec.account, password: twoSites.agentPassword, pcHostName },
      primaryUrl: twoSites.sites[home].loginUrl,
      standbyUrl: twoSites.sites[peerOf(home)].loginUrl,
    }
  })
  const simulator = new AgentSimulator({
    agents,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    ...(options.lossConfirmations === undefined ? {} : { lossConfirmations: options.lossConfirmations }),
    onEvent: (client, event) => {
      if (event.type === 'signed-in') lastSignIn.set(client.credentials.account, { site: event.site, at: Date.now() })
    },
  })
  const signIn = await simulator.signInAll()
  const homes = { shanghai: 0, nantong: 0 }
  for (const home of homeOf.values()) homes[home]++
  return {
    simulator,
    signIn,
    homes,
    relogins(failedSite, survivor, since) {
      const times: number[] = []
      const missing: string[] = []
      for (const [account, home] of homeOf) {
        if (home !== failedSite) continue
        const last = lastSignIn.get(account)
        if (last !== undefined && last.site === survivor && last.at >= since) times.push(last.at - since)
        else missing.push(account)
      }
      return { times, figures: percentiles(times), missing }
    },
    stop: () => simulator.stop(),
  }
}
