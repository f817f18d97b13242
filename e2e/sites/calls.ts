// Carrier calls through one site's edge with SIPp (workloads/edge/testing): how many completed, and at
// which site's soft switch each one landed.
import { DID } from '../../workloads/edge/testing/fixture.ts'
import { runCalls } from '../../workloads/edge/testing/sipp.ts'
import { SITE_NAMES, type SiteName } from './manifests.ts'
import type { TwoSites } from './two-sites.ts'

/** Caller prefixes: one the trunk's prefix rules route to each site (021, 0513), and one they split by weight. */
export const CALLER_PREFIXES = { shanghai: '021', nantong: '0513', anywhere: '0755' } as const

let runs = 0
/** A caller number of its own for each run (the prefix, then digits), so that runs at the same time are told apart. */
const callerFor = (prefix: string) => `${prefix}${String(++runs).padStart(8, '0')}`

export interface CallsOptions {
  calls: number
  /** Calls started per second; default 20. */
  rate?: number
  /** The caller number's prefix (prefix rules match on it); default the one routed to the edge's own site. */
  callerPrefix?: string
  /** Default the harness trunk's number. */
  called?: string
  holdMilliseconds?: number
  timeoutSeconds?: number
}

export interface CallsReport {
  /** The edge the calls were sent to. */
  edgeSite: SiteName
  completed: number
  failed: number
  /** The caller number of this run. */
  caller: string
  /** Distinct calls of this run each site's soft switch received (a soft switch that died counts 0). */
  landed: Record<SiteName, number>
}

export async function placeCalls(twoSites: TwoSites, edgeSite: SiteName, options: CallsOptions): Promise<CallsReport> {
  const caller = callerFor(options.callerPrefix ?? CALLER_PREFIXES[edgeSite])
  const run = await runCalls({
    edge: twoSites.sites[edgeSite].edgeSip,
    called: options.called ?? DID,
    caller,
    calls: options.calls,
    rate: options.rate ?? 20,
    ...(options.holdMilliseconds === undefined ? {} : { holdMilliseconds: options.holdMilliseconds }),
    ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
  })
  const [shanghai, nantong] = await Promise.all(SITE_NAMES.map((site) => twoSites.sites[site].callsFrom(caller)))
  return { edgeSite, caller, completed: run.successful, failed: run.failed, landed: { shanghai: shanghai ?? 0, nantong: nantong ?? 0 } }
}
