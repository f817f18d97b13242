// The headline: every process of one site dies; the operator confirms it, stops the surviving edge
// sending there, moves the agents over their standby connections, and records the timeline.
// Two sites of real processes (Redis, login, Kamailio edge, SIPp as the soft switch) in External mode,
// a real control plane, the operator as a process, simulated agents.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Trunk } from '../../crds/types.ts'
import { succeeded } from '../api/kubectl-helpers.ts'
import { eventually } from '../operator/operator-process.ts'
import { CALLER_PREFIXES, placeCalls } from '../sites/calls.ts'
import { startSiteDownScenario, type SiteDownScenario } from './scenario.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'

// The whole fleet, in agent worker processes of 4,000 agents each. This file runs alone, after the other
// e2e suites (scripts/test-e2e.sh): its re-login storm takes the whole machine. Its timings are printed,
// not asserted; the failover benchmark (e2e/bench/failover.ts) measures them on a quiet machine.
const AGENTS = 15_000

describe('site down: every process of shanghai killed (SIPp stands in for FreeSWITCH)', () => {
  let scenario: SiteDownScenario
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-reports-'))

  before(async () => {
    scenario = await startSiteDownScenario({ agents: AGENTS, reportDir, operatorName: 'failover' })
  })
  after(async () => {
    await scenario.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)
  const trunk = async (name: string) =>
    JSON.parse(succeeded(await scenario.cp.kubectl(['get', 'trunk', name, '-n', 'callcenter', '-o', 'json']), 'get trunk')) as Trunk

  it('sees both sites healthy first', () => bothSitesHealthy(site))

  it('confirms the failure, flips the edges, moves every agent and records the timeline', async () => {
    const killedAt = Date.now()
    await scenario.sites.sites.shanghai.kill()
    const failed = await eventually(
      'shanghai failed',
      () => site('shanghai'),
      (s) => s.status?.health === 'Failed',
      30_000,
    )
    const confirmedMs = Date.parse(failed.status?.healthSince ?? '') - killedAt
    const done = await eventually(
      'the failover recorded',
      () => site('shanghai'),
      (s) => (s.status?.lastFailover?.agentsMoved ?? 0) >= scenario.fleet.homes.shanghai,
      60_000,
    )
    const timeline = done.status?.lastFailover
    assert.ok(timeline)
    assert.equal(timeline.agentsLost, 0)
    assert.ok(timeline.reloginMilliseconds, 'percentiles recorded')
    assert.ok(timeline.report && existsSync(timeline.report), `report written: ${timeline.report ?? ''}`)
    const routes = await eventually(
      'trunk shows the flip',
      () => trunk(scenario.sites.trunkManifests()[0]?.metadata.name ?? ''),
      (t) => (t.status?.routes ?? []).some((r) => r.site === 'shanghai' && r.state === 'Inactive'),
    )
    console.log(
      JSON.stringify({
        agents: AGENTS,
        moved: timeline.agentsMoved,
        faultToConfirmedMs: confirmedMs,
        timeline: { fault: timeline.fault, suspect: timeline.suspect, confirmed: timeline.confirmed, flipped: timeline.flipped },
        reloginMilliseconds: timeline.reloginMilliseconds,
        routeSummary: routes.status?.routeSummary,
      }),
    )
    // The census is a worker's report, a fraction of a second behind the sign-ins the operator counted.
    const census = await eventually(
      'every agent signed in at nantong',
      () => Promise.resolve(scenario.fleet.simulator.census()),
      (c) => c.bySite.nantong === AGENTS,
      10_000,
    )
    assert.equal(census.bySite.shanghai ?? 0, 0, 'no agent is left signed in at shanghai')
    const desktops = scenario.fleet.relogins('shanghai', 'nantong', killedAt)
    assert.deepEqual(desktops.missing, [], "every shanghai agent's desktop saw its sign-in at nantong")
    assert.equal(desktops.times.length, scenario.fleet.homes.shanghai)
  })

  it('completes new calls from shanghai callers at nantong after the flip', async () => {
    const report = await placeCalls(scenario.sites, 'nantong', { calls: 50, callerPrefix: CALLER_PREFIXES.shanghai })
    assert.equal(report.failed, 0)
    assert.equal(report.landed.nantong, 50)
  })
})
