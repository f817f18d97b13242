// The surviving site's Redis restarted during a failover: every process of shanghai is SIGKILLed, and
// as soon as the operator has confirmed it and started the takeover at nantong, nantong's Redis is
// SIGKILLed and started again empty (a Redis without persistence, as a pod restart leaves it). The
// takeover must still complete: every shanghai agent signs in at nantong, nantong's own agents keep
// their sessions (re-created from their heartbeats), the operator projects the fleet in again, no agent
// is lost, none is signed in at two sites, and calls complete at nantong.
// Two sites of real processes in External mode, a real control plane, the operator as a process; the
// fleet's SkillGroups, AgentSeats and PhoneMACs are applied so the operator can project them again.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { succeeded } from '../api/kubectl-helpers.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'
import { eventually } from '../operator/operator-process.ts'
import { startSiteDownScenario, type SiteDownScenario } from '../failover/scenario.ts'
import { callsCompleteAt, everyAgentAt } from './checks.ts'
import { faultFigures, printFigures } from './figures.ts'
import { restartRedisEmpty, type RestartedRedis } from './redis-restart.ts'
import { sampleSignIns, type SignInSampler } from './sessions.ts'

const AGENTS = 40

describe("the surviving site's Redis restarted empty during a failover: the takeover completes, no agent lost (SIPp stands in for FreeSWITCH)", () => {
  let scenario: SiteDownScenario
  let sampler: SignInSampler | undefined
  let restarted: RestartedRedis | undefined
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-faults-redis-'))

  before(async () => {
    scenario = await startSiteDownScenario({ agents: AGENTS, reportDir, operatorName: 'faults-redis' })
    const { fleet } = scenario.sites
    const list = { apiVersion: 'v1', kind: 'List', items: [...fleet.skillGroups, ...fleet.agentSeats, ...fleet.phoneMACs] }
    succeeded(await scenario.cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(list) }), 'apply the fleet')
  })
  after(async () => {
    await sampler?.stop()
    await restarted?.stop()
    await scenario.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)

  it('sees both sites healthy first', () => bothSitesHealthy(site))

  it("kills shanghai, restarts nantong's Redis empty as soon as the operator notices, and every agent still ends up at nantong", async () => {
    sampler = sampleSignIns(scenario.sites)
    const killedAt = Date.now()
    await scenario.sites.sites.shanghai.kill()
    // As soon as the operator has noticed (Suspect), so that the restart falls into the confirmation,
    // the takeover's start at nantong's login service, or the re-logins.
    const noticed = await eventually(
      'the operator noticed shanghai is gone',
      () => site('shanghai'),
      (s) => s.status?.health !== undefined && s.status.health !== 'Healthy',
      60_000,
    )
    const healthAtRestart = noticed.status?.health
    const movedBeforeRestart = scenario.fleet.relogins('shanghai', 'nantong', killedAt).times.length
    restarted = await restartRedisEmpty(scenario.sites.sites.nantong.redisUrl)

    const done = await eventually(
      'the failover recorded with every shanghai agent moved',
      () => site('shanghai'),
      (s) => s.status?.lastFailover !== undefined && (s.status.lastFailover.agentsMoved ?? 0) >= scenario.fleet.homes.shanghai,
      90_000,
    )
    const timeline = done.status?.lastFailover
    assert.equal(timeline?.agentsLost, 0)
    await everyAgentAt(scenario.fleet, AGENTS, 'nantong', 60_000)
    const failedAfterFlip = await callsCompleteAt(scenario.sites, 'nantong', 'shanghai')
    // Watch a while longer: nantong's sessions, re-created in the empty Redis by heartbeats, hold.
    const watchUntil = Date.now() + 10_000
    while (Date.now() < watchUntil) {
      const census = scenario.fleet.simulator.census()
      assert.equal(census.bySite.nantong, AGENTS, `every agent stays signed in at nantong: ${JSON.stringify(census.bySite)}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }

    const samples = sampler.samples()
    const unreadable = sampler.unreadable()
    const doubles = await sampler.stop()
    sampler = undefined
    assert.ok(samples + unreadable >= 10, `sessions sampled throughout: ${samples} + ${unreadable} unreadable`)
    assert.equal(doubles.length, 0, `no agent signed in at two sites in any sample: ${JSON.stringify(doubles.slice(0, 5))}`)
    printFigures(
      faultFigures(
        "survivor's Redis restarted empty during the failover",
        killedAt,
        timeline,
        scenario.fleet.relogins('shanghai', 'nantong', killedAt),
        failedAfterFlip,
        {
          agents: AGENTS,
          healthAtRedisRestart: healthAtRestart,
          movedBeforeRedisRestart: movedBeforeRestart,
          redisKilledAfterFaultMs: restarted.killedAt - killedAt,
          redisDownMs: restarted.readyAt - restarted.killedAt,
          doubleSignIns: doubles.length,
          samples,
        },
      ),
    )
  })
})
