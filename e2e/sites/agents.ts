// The fleet's agents, simulated in worker processes (e2e/sites/agent-workers.ts): each signs in at its
// home site with a standby connection to the other site, from its own address. Every sign-in is time-stamped per agent, so
// after a failover the time each agent needed to sign in at the survivor can be read.
import type { StormResult } from '../../workloads/agent/simulator.ts'
import { percentiles, type Percentiles } from '../../workloads/lib/percentiles.ts'
import { AgentWorkers, type FleetSimulator } from './agent-workers.ts'
import { desktopAddress } from './desktop-addresses.ts'
import { SITE_NAMES, type SiteName } from './manifests.ts'
import type { TwoSites } from './two-sites.ts'

export type { Census, FleetSimulator } from './agent-workers.ts'

/** Agents per worker process by default: each holds two connections per agent, well below the 20,000 files a process may open. */
const AGENTS_PER_PROCESS = 4_000

export interface SignInFleetOptions {
  /** How many of the fleet's agents (the first ones) sign in; default all. */
  agents?: number
  /** Sign-ins in flight at once (over all processes); default 100. */
  concurrency?: number
  /** Default 5000 (the simulator's). */
  heartbeatIntervalMs?: number
  /** Failed reconnects to the home site that make an agent sign in at the standby by itself; default 2. */
  lossConfirmations?: number
  /** Worker processes the agents are spread over; default one per 4,000 agents. */
  processes?: number
}

export interface Relogins {
  /** Milliseconds from `since` to each moved agent's sign-in at the survivor. */
  times: number[]
  figures: Percentiles
  /** Accounts homed at the failed site that have not signed in at the survivor since then. */
  missing: string[]
}

export interface SignedInFleet {
  /** The agents' census and event counts, over every worker process (a fraction of a second behind). */
  simulator: FleetSimulator
  /** The sign-in storm at the home sites. */
  signIn: StormResult
  /** The ids of the worker processes the agents run in. */
  workerPids: number[]
  /** How many agents are homed at each site. */
  homes: Record<SiteName, number>
  /** The sign-ins at `survivor`, since `since` (epoch ms), of the agents homed at `failedSite`. */
  relogins(failedSite: SiteName, survivor: SiteName, since: number): Relogins
  /** Drops every connection (no sign-out): the worker processes are killed. */
  stop(): void
}

const peerOf = (site: SiteName): SiteName => (site === 'shanghai' ? 'nantong' : 'shanghai')

export async function signInFleet(twoSites: TwoSites, options: SignInFleetOptions = {}): Promise<SignedInFleet> {
  const { fleet } = twoSites
  const count = Math.min(options.agents ?? fleet.agentSeats.length, fleet.agentSeats.length)
  const homes = { shanghai: 0, nantong: 0 }
  const seats = fleet.agentSeats.slice(0, count).map((seat, index) => {
    const home = SITE_NAMES.find((name) => name === seat.spec.homeSite) ?? 'shanghai'
    const pcHostName = fleet.phoneMACs[index]?.spec.pcHostName
    if (pcHostName === undefined) throw new Error(`agent ${seat.spec.agentId} has no phone in the fleet`)
    homes[home]++
    return { account: seat.spec.account, home, pcHostName }
  })
  const lastSignIn: ({ site: string; at: number } | undefined)[] = seats.map(() => undefined)
  const { workers, signIn } = await AgentWorkers.start({
    agents: seats.map(({ account, home, pcHostName }, index) => ({
      credentials: { account, password: twoSites.agentPassword, pcHostName },
      primaryUrl: twoSites.sites[home].loginUrl,
      standbyUrl: twoSites.sites[peerOf(home)].loginUrl,
      localAddress: desktopAddress(index),
    })),
    processes: options.processes ?? Math.ceil(count / AGENTS_PER_PROCESS),
    concurrency: options.concurrency ?? 100,
    ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    ...(options.lossConfirmations === undefined ? {} : { lossConfirmations: options.lossConfirmations }),
    onSignIn: (index, site, at) => (lastSignIn[index] = { site, at }),
  })
  return {
    simulator: workers,
    signIn,
    workerPids: workers.pids,
    homes,
    relogins(failedSite, survivor, since) {
      const times: number[] = []
      const missing: string[] = []
      seats.forEach(({ account, home }, index) => {
        if (home !== failedSite) return
        const last = lastSignIn[index]
        if (last !== undefined && last.site === survivor && last.at >= since) times.push(last.at - since)
        else missing.push(account)
      })
      return { times, figures: percentiles(times), missing }
    },
    stop: () => workers.stop(),
  }
}
