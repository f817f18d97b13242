// The apiserver down for 60 s during a failover: every process of shanghai is SIGKILLed right after
// kube-apiserver is stopped, so the operator detects, confirms and fails shanghai over with nothing to
// write its status to. The data plane must still flip (nantong's edge stops sending to shanghai, every
// shanghai agent signs in at nantong, calls complete there) while the apiserver is away; once it is back,
// the Site's status catches up with the failover's timeline.
// Two sites of real processes in External mode, a real control plane, the operator as a process.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { EdgeRouting, KamailioRpc } from '../../workloads/edge/index.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'
import { eventually } from '../operator/operator-process.ts'
import { startSiteDownScenario, type SiteDownScenario } from '../failover/scenario.ts'
import { callsCompleteAt, everyAgentAt } from './checks.ts'
import { faultFigures, printFigures } from './figures.ts'
import { sampleSignIns, type SignInSampler } from './sessions.ts'

const AGENTS = 40
const APISERVER_DOWN_MS = 60_000

describe('the apiserver down for 60 s during a failover: the data plane flips, status catches up (SIPp stands in for FreeSWITCH)', () => {
  let scenario: SiteDownScenario
  let sampler: SignInSampler | undefined
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-faults-apiserver-'))

  before(async () => {
    scenario = await startSiteDownScenario({ agents: AGENTS, reportDir, operatorName: 'faults-apiserver' })
  })
  after(async () => {
    await sampler?.stop()
    await scenario.cp.startApiserver().catch(() => undefined)
    await scenario.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)
  const shanghaiAtNantongEdge = async () =>
    (await new EdgeRouting({ rpc: new KamailioRpc({ url: scenario.sites.sites.nantong.edgeRpcUrl }) }).destinations()).filter(
      (d) => d.site === 'shanghai',
    )

  it('sees both sites healthy first', () => bothSitesHealthy(site))

  let killedAt = 0
  let apiserverBackAt = 0
  let failedAfterFlip = 0
  let edgeFlippedMs = 0
  let allMovedMs = 0

  it('with the apiserver stopped, kills shanghai: the edge flips, the agents move and calls complete at nantong', async () => {
    sampler = sampleSignIns(scenario.sites)
    const stoppedAt = Date.now()
    await scenario.cp.stopApiserver()
    killedAt = Date.now()
    await scenario.sites.sites.shanghai.kill()

    const ofShanghai = await eventually(
      "nantong's edge no longer sends to shanghai",
      shanghaiAtNantongEdge,
      (destinations) => destinations.length > 0 && destinations.every((d) => d.state === 'disabled'),
      APISERVER_DOWN_MS - 15_000,
    )
    edgeFlippedMs = Date.now() - killedAt
    assert.ok(ofShanghai.length > 0)
    await everyAgentAt(scenario.fleet, AGENTS, 'nantong', APISERVER_DOWN_MS - 15_000)
    allMovedMs = Date.now() - killedAt
    failedAfterFlip = await callsCompleteAt(scenario.sites, 'nantong', 'shanghai')
    assert.ok(Date.now() - stoppedAt < APISERVER_DOWN_MS, 'all of it while the apiserver was still down')

    // Keep it down for the full minute, then bring it back.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + APISERVER_DOWN_MS - Date.now())))
    await scenario.cp.startApiserver()
    apiserverBackAt = Date.now()
  })

  it("once the apiserver is back, the Site's status catches up with the failover's timeline", async () => {
    const done = await eventually(
      'the failover recorded in status',
      () => site('shanghai'),
      (s) => (s.status?.lastFailover?.agentsMoved ?? 0) >= scenario.fleet.homes.shanghai,
      60_000,
    )
    const catchUpMs = Date.now() - apiserverBackAt
    const timeline = done.status?.lastFailover
    assert.equal(done.status?.health, 'Failed')
    assert.equal(timeline?.agentsLost, 0)
    for (const mark of ['fault', 'confirmed', 'flipped'] as const)
      assert.ok(timeline[mark], `timeline.${mark}: ${JSON.stringify(timeline)}`)
    assert.ok(Date.parse(timeline.flipped ?? '') < apiserverBackAt, 'the flip it records happened while the apiserver was down')

    const samples = sampler?.samples() ?? 0
    const unreadable = sampler?.unreadable() ?? 0
    const doubles = (await sampler?.stop()) ?? []
    sampler = undefined
    // shanghai's Redis died with it: from then on a sample finds only nantong, and counts as unreadable.
    assert.ok(samples + unreadable >= 10, `sessions at both sites sampled throughout: ${samples} + ${unreadable} unreadable`)
    assert.equal(doubles.length, 0, `no agent signed in at two sites in any sample: ${JSON.stringify(doubles.slice(0, 5))}`)
    await everyAgentAt(scenario.fleet, AGENTS, 'nantong')
    printFigures(
      faultFigures(
        'apiserver down 60 s during a failover',
        killedAt,
        timeline,
        scenario.fleet.relogins('shanghai', 'nantong', killedAt),
        failedAfterFlip,
        {
          agents: AGENTS,
          edgeFlippedObservedMs: edgeFlippedMs,
          allAgentsMovedObservedMs: allMovedMs,
          statusCaughtUpAfterApiserverBackMs: catchUpMs,
          doubleSignIns: doubles.length,
          samples,
        },
      ),
    )
  })
})
