// What every fault suite asserts besides its own point: nothing is lost (every agent signed in somewhere,
// carrier calls complete at the survivor) and no agent is ever signed in at two sites (sampled from both
// sites' Redis throughout the fault, e2e/multicluster/sessions.ts).
import assert from 'node:assert/strict'
import { eventually } from '../operator/operator-process.ts'
import type { SignedInFleet } from '../sites/agents.ts'
import { CALLER_PREFIXES, placeCalls } from '../sites/calls.ts'
import type { SiteName } from '../sites/manifests.ts'
import type { TwoSites } from '../sites/two-sites.ts'

/** Waits until every agent of the fleet is signed in at `site` (the census a fraction of a second behind). */
export async function everyAgentAt(fleet: SignedInFleet, agents: number, site: SiteName, timeoutMs = 60_000): Promise<void> {
  const census = await eventually(
    `all ${agents} agents signed in at ${site}`,
    () => Promise.resolve(fleet.simulator.census()),
    (c) => (c.bySite[site] ?? 0) === agents,
    timeoutMs,
  )
  assert.equal(
    Object.values(census.bySite).reduce((sum, n) => sum + n, 0),
    agents,
    `every agent signed in exactly once: ${JSON.stringify(census.bySite)}`,
  )
}

/**
 * Calls from the failed site's region, offered at the survivor's edge: each must complete at the
 * survivor's soft switch. Returns how many did not.
 */
export async function callsCompleteAt(sites: TwoSites, survivor: SiteName, failed: SiteName, calls = 10): Promise<number> {
  const report = await placeCalls(sites, survivor, { calls, rate: 10, callerPrefix: CALLER_PREFIXES[failed], timeoutSeconds: 60 })
  assert.equal(report.completed, calls, `calls from ${failed}'s region completed at ${survivor}: ${JSON.stringify(report)}`)
  assert.equal(report.landed[survivor], calls, `they landed at ${survivor}: ${JSON.stringify(report.landed)}`)
  return report.failed
}
