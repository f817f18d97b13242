// Calls in progress per (edge, destination site): what a failover's timeline reports as calls lost.
//
// Every edge's Kamailio counts the carrier calls it sent to each site's soft switches (the dialog profile
// CALLS_TO_SITE_PROFILE, operator/render/kamailio). Once per probe round of a site, its edges are read for
// every site of the namespace; an edge that does not answer keeps its last count (a failure to read is not a
// probe failure). A count is kept with the time of the reading that first showed it, only when it changed,
// and never for a destination whose run of missed probes has begun or that is failed over: from then on the
// count drains as callers hang up, and what matters is the count before the fault.
//
// Calls lost by a failover = the calls every edge (the failed site's own included: its last count is all that is
// left of it) had in progress to the failed site at its last reading before the fault.
//
// A Managed edge is read per pod (targets.ts) at its edge agent's GET /v1/calls, which asks its Kamailio the same.
import { callsToSite, EdgeAgentClient, KamailioRpc } from '../../../workloads/edge/index.ts'
import type { HeartbeatRecord } from '../../failover/heartbeat-types.ts'
import { answeredEdges } from './prober.ts'
import type { EdgeControl, EdgeTarget } from './targets.ts'
import type { ComponentProbe } from './verdict.ts'

/** One edge's count of the calls in progress it sent to one site. */
export interface CallReading {
  edge: string
  site: string
  calls: number
}

/** A count as kept: `since` is when the first reading that showed it was taken. */
export interface KeptCount extends CallReading {
  since: string
}

/** Counts kept per edge and site (the latest and the ones before it, for a fault between two readings). */
export const COUNTS_KEPT = 4

const sameKey = (a: CallReading, b: CallReading) => a.edge === b.edge && a.site === b.site

/**
 * Pure: the counts after one round's readings, taken at `at`. A reading adds a count only when it differs
 * from the latest kept for its edge and site; none is added for a site in `frozen`.
 */
export function withReadings(
  kept: readonly KeptCount[],
  readings: readonly CallReading[],
  at: Date,
  frozen: ReadonlySet<string>,
): KeptCount[] {
  const next = [...kept]
  for (const reading of readings) {
    if (frozen.has(reading.site)) continue
    const latest = next.findLast((k) => sameKey(k, reading))
    if (latest?.calls === reading.calls) continue
    next.push({ ...reading, since: at.toISOString() })
    const older = next.filter((k) => sameKey(k, reading))
    if (older.length > COUNTS_KEPT) next.splice(next.indexOf(older[0] as KeptCount), 1)
  }
  return next
}

/** Pure: counts to a site are not kept while its run of missed probes lasts or it is failed over. */
export function countingPaused(record: Pick<HeartbeatRecord, 'faultAt' | 'failedOver'> | undefined): boolean {
  return record?.faultAt !== undefined || record?.failedOver === true
}

/** At most this many counts in Site status (its schema's limit): 16 edges times 16 sites. */
export const STATUS_COUNTS_MAX = 256

/** Pure: the latest count per edge and site (what Site status keeps), in a stable order. */
export function latestCounts(kept: readonly KeptCount[]): KeptCount[] {
  const latest = new Map<string, KeptCount>()
  for (const k of kept) latest.set(`${k.edge}\n${k.site}`, k)
  return [...latest.values()].sort((a, b) => a.edge.localeCompare(b.edge) || a.site.localeCompare(b.site)).slice(0, STATUS_COUNTS_MAX)
}

/**
 * Pure: the calls in progress to `site` at the last reading before `fault`, summed over the edges of every
 * site (one list of kept counts per site); undefined when no edge had been read before the fault.
 */
export function callsAtFault(keptPerSite: Iterable<readonly KeptCount[]>, site: string, fault: string): number | undefined {
  const faultAt = Date.parse(fault)
  let total: number | undefined
  for (const kept of keptPerSite) {
    const before = new Map<string, number>()
    for (const k of kept) if (k.site === site && Date.parse(k.since) < faultAt) before.set(k.edge, k.calls)
    for (const calls of before.values()) total = (total ?? 0) + calls
  }
  return total
}

/** How an edge's call counts are read: one destination site at a time. */
export interface EdgeCallsPort {
  callsTo(site: string): Promise<number>
}

/**
 * Kamailio's JSON-RPC (External edges), or the edge agent's GET /v1/calls (a Managed edge's pod), asked
 * once for every site: a site the agent has no destinations of has no call to it.
 */
export function realEdgeCalls(control: EdgeControl, timeoutMilliseconds: number): EdgeCallsPort {
  if (control.kind === 'rpc') {
    const rpc = new KamailioRpc({ url: control.url, timeoutMilliseconds })
    return { callsTo: (site) => callsToSite(rpc, site) }
  }
  const agent = new EdgeAgentClient(control.url, { timeoutMilliseconds })
  let counts: Promise<Record<string, number>> | undefined
  return {
    async callsTo(site) {
      counts ??= agent.calls()
      return (await counts)[site] ?? 0
    },
  }
}

/** Reads each edge's calls to each site; what cannot be read is left out and told in `failures`. */
export async function readEdgeCalls(
  edges: readonly EdgeTarget[],
  sites: readonly string[],
  portOf: (control: EdgeControl) => EdgeCallsPort | undefined,
): Promise<{ readings: CallReading[]; failures: string[] }> {
  const results = await Promise.all(
    edges.flatMap((edge) => {
      const port = portOf(edge.control)
      if (!port) return []
      return sites.map(async (site): Promise<CallReading | string> => {
        try {
          return { edge: edge.name, site, calls: await port.callsTo(site) }
        } catch (error) {
          return `edge ${edge.name}, calls to ${site}: ${(error as Error).message}`
        }
      })
    }),
  )
  return {
    readings: results.filter((r): r is CallReading => typeof r !== 'string'),
    failures: results.filter((r): r is string => typeof r === 'string'),
  }
}

export interface CountRound {
  /** The site's counts kept so far. */
  kept: readonly KeptCount[]
  edges: readonly EdgeTarget[]
  /** This round's probes of the site, before a drill drops them: only edges that answered are read. */
  probes: readonly ComponentProbe[]
  /** Every site of the namespace (the destinations), with its heartbeat record. */
  sites: readonly { name: string; record?: Pick<HeartbeatRecord, 'faultAt' | 'failedOver'> }[]
  at: Date
  portOf: (control: EdgeControl) => EdgeCallsPort | undefined
}

/** One probe round's reading of a site's edges, folded into its kept counts. */
export async function countRound(round: CountRound): Promise<{ kept: KeptCount[]; failures: string[] }> {
  const { readings, failures } = await readEdgeCalls(
    answeredEdges(round.edges, round.probes),
    round.sites.map((s) => s.name),
    round.portOf,
  )
  const paused = new Set(round.sites.filter((s) => countingPaused(s.record)).map((s) => s.name))
  return { kept: withReadings(round.kept, readings, round.at, paused), failures }
}
