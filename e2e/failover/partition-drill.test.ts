// The Partition drill by `kubectl patch`, end to end: two sites of real processes (Redis, login, ACD,
// Kamailio edge, SIPp as the soft switch) behind a WAN of cuttable proxies; the operator runs "at nantong"
// and reaches shanghai over that WAN; shanghai's drill agent is the real main.ts, whose network fault runs
// real shell commands that cut and heal the WAN (partition-drill-scenario.ts). While the sites cannot see
// each other the operator fails shanghai over, and shanghai's agents, whose own site still answers them,
// decline the takeover at nantong: no agent is signed in at two sites, and each site keeps completing its
// own region's calls. The drill heals the WAN after its time and leaves its timeline and report.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Site } from '../../crds/types.ts'
import { probeHttpHealth } from '../../operator/failover/probes.ts'
import { succeeded } from '../api/kubectl-helpers.ts'
import { sampleDoubleSignIns } from '../multicluster/sessions.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'
import { eventually } from '../operator/operator-process.ts'
import { CALLER_PREFIXES, placeCalls } from '../sites/calls.ts'
import { SITE_NAMES } from '../sites/manifests.ts'
import { startPartitionDrillScenario, type PartitionDrillScenario } from './partition-drill-scenario.ts'

const AGENTS = 60
const DRILL_SECONDS = 40

type LastDrill = NonNullable<NonNullable<Site['status']>['lastDrill']>

describe('Partition drill by kubectl patch: the drill agent really cuts the WAN between two sites of real processes (SIPp stands in for FreeSWITCH)', () => {
  let scenario: PartitionDrillScenario
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-partition-drill-'))

  before(async () => {
    scenario = await startPartitionDrillScenario({ agents: AGENTS, reportDir, operatorName: 'partition-drill', minimumDwellSeconds: 5 })
  })
  after(async () => {
    await scenario.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)
  /** shanghai's login service as the operator reaches it: through the WAN. */
  const loginOverWan = () => scenario.applied.shanghai.spec.components.login.external?.url ?? ''

  const drillEvents = async (name: string): Promise<{ reason: string; note: string }[]> => {
    const list = JSON.parse(succeeded(await scenario.cp.kubectl(['get', 'events', '-n', 'callcenter', '-o', 'json']), 'get events')) as {
      items: { reason?: string; note?: string; message?: string; involvedObject?: { name?: string } }[]
    }
    return list.items
      .filter((e) => e.involvedObject?.name === name && e.reason?.startsWith('Drill'))
      .map((e) => ({ reason: e.reason ?? '', note: e.note ?? e.message ?? '' }))
  }

  it('sees both sites healthy first, shanghai through the WAN', () => bothSitesHealthy(site, 60_000))

  it('refuses a Partition drill at nantong, whose drill agent offers no network fault, saying what is missing', async () => {
    await scenario.startDrill('nantong', { name: 'partition-refused', scenario: 'Partition', durationSeconds: 10 })
    const refused = await eventually(
      'the drill at nantong refused',
      () => site('nantong'),
      (s) => s.status?.lastDrill?.name === 'partition-refused' && s.status.lastDrill.state === 'Failed',
      30_000,
    )
    assert.match(
      refused.status?.lastDrill?.timeline.reason ?? '',
      /Partition refused: site nantong's drill agent offers no network fault: set DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK/,
    )
    assert.deepEqual(scenario.wanSwitch.flips(), [], 'nothing was cut')
    assert.ok((await drillEvents('nantong')).some((e) => e.reason === 'DrillFailed'))
  })

  it('cuts the WAN, fails shanghai over without any agent signed in at two sites, keeps each site’s calls local, heals, and records it all', async () => {
    const homes = scenario.fleet.homes
    const sampler = sampleDoubleSignIns(scenario.sites)
    const patchedAt = Date.now()
    await scenario.startDrill('shanghai', { name: 'partition-1', scenario: 'Partition', durationSeconds: DRILL_SECONDS })

    await eventually(
      'the drill agent cut the WAN',
      () => Promise.resolve(scenario.wanSwitch.flips()),
      (f) => f.length > 0,
      30_000,
    )
    assert.equal((await probeHttpHealth(loginOverWan(), 2000)).ok, false, 'shanghai is out of reach over the WAN')
    assert.equal((await probeHttpHealth(scenario.sites.sites.shanghai.loginUrl, 2000)).ok, true, 'while it serves its own agents')

    const failed = await eventually(
      'the operator, cut off from shanghai, fails it over',
      () => site('shanghai'),
      (s) => s.status?.health === 'Failed' && (s.status.heartbeat?.takeovers?.length ?? 0) > 0,
      60_000,
    )
    assert.equal(failed.status?.lastDrill?.state, 'Running', `still within the drill: ${JSON.stringify(failed.status?.lastDrill)}`)

    // While partitioned, each site completes its own region's calls at its own soft switch.
    for (const home of SITE_NAMES) {
      const report = await placeCalls(scenario.sites, home, { calls: 10, callerPrefix: CALLER_PREFIXES[home] })
      assert.equal(report.failed, 0, `calls from ${CALLER_PREFIXES[home]} at ${home}: ${JSON.stringify(report)}`)
      assert.equal(report.landed[home], 10, `they land at ${home}: ${JSON.stringify(report.landed)}`)
    }
    assert.equal(
      scenario.wanSwitch.flips().filter((f) => f.action === 'heal').length,
      0,
      'the WAN is still cut: the calls were kept local by the partition, not after it',
    )

    const done = await eventually(
      'the drill over',
      () => site('shanghai'),
      (s) => s.status?.lastDrill?.name === 'partition-1' && ['Completed', 'Failed'].includes(s.status.lastDrill.state),
      DRILL_SECONDS * 1000 + 120_000,
    )
    const samples = sampler.samples()
    const doubles = await sampler.stop()
    assert.ok(samples >= 20, `sessions at both sites sampled throughout the drill: ${samples} samples`)
    const drill = done.status?.lastDrill as LastDrill
    assert.equal(drill.state, 'Completed', JSON.stringify(drill))

    const flips = scenario.wanSwitch.flips()
    assert.deepEqual(
      flips.map((f) => f.action),
      ['cut', 'heal'],
      'cut once, healed once, by the drill agent’s commands',
    )
    const [cut, heal] = flips
    assert.ok(cut && heal)
    assert.ok(heal.at - cut.at >= DRILL_SECONDS * 1000 - 1000, `the cut lasted the drill's ${DRILL_SECONDS} s: ${heal.at - cut.at} ms`)
    assert.ok(cut.at >= patchedAt)
    await eventually(
      'shanghai answers over the WAN again',
      () => probeHttpHealth(loginOverWan(), 2000),
      (r) => r.ok,
      10_000,
    )

    const { timeline } = drill
    const marks = ['fault', 'suspect', 'confirmed', 'flipped', 'restored'] as const
    for (const mark of marks) assert.ok(timeline[mark], `timeline.${mark} recorded: ${JSON.stringify(timeline)}`)
    const times = marks.map((mark) => Date.parse(timeline[mark] ?? ''))
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      `marks in order: ${JSON.stringify(timeline)}`,
    )
    assert.equal(timeline.agentsStayed, homes.shanghai, 'every shanghai agent declined the takeover: its own site still served it')
    assert.equal(timeline.agentsMoved, 0)
    assert.equal(timeline.agentsLost, 0)
    assert.ok(timeline.report && existsSync(timeline.report), `report written: ${timeline.report ?? ''}`)
    const report = JSON.parse(readFileSync(timeline.report, 'utf8')) as { agents: unknown[]; phases: { name: string }[] }
    assert.equal(report.agents.length, homes.shanghai)
    assert.deepEqual(
      report.phases.map((p) => p.name),
      ['fault', 'suspect', 'confirmed', 'flipped', 'restored'],
    )

    assert.equal(doubles.length, 0, `no agent signed in at two sites in any sample: ${JSON.stringify(doubles.slice(0, 5))}`)
    assert.deepEqual(scenario.fleet.simulator.census().bySite, homes, 'every agent is still signed in at home')
    const events = await drillEvents('shanghai')
    for (const reason of ['DrillStarted', 'DrillRestoring', 'DrillCompleted'])
      assert.ok(
        events.some((e) => e.reason === reason),
        `Event ${reason}: ${events.map((e) => e.reason).join(', ')}`,
      )
    assert.match(events.find((e) => e.reason === 'DrillCompleted')?.note ?? '', /failed over: 0 agents moved, 0 lost, \d+ stayed/)
    assert.doesNotMatch(scenario.drillAgent.output(), new RegExp(scenario.drillAgentToken), 'the token is never logged')
    console.log(
      JSON.stringify({
        agents: AGENTS,
        drillSeconds: DRILL_SECONDS,
        patchToCompletedMs: Date.now() - patchedAt,
        cutMs: heal.at - cut.at,
        timeline: Object.fromEntries(marks.map((mark) => [mark, timeline[mark]])),
        agentsStayed: timeline.agentsStayed,
        samples,
        doubleSignIns: doubles.length,
        census: scenario.fleet.simulator.census().bySite,
      }),
    )
  })

  it('an operator SIGKILLed mid-partition: the fresh one cuts again (idempotent); removing the drill heals the WAN at once', async () => {
    const flipsBefore = scenario.wanSwitch.flips().length
    const flipsSince = () => scenario.wanSwitch.flips().slice(flipsBefore)
    await scenario.startDrill('shanghai', { name: 'partition-aborted', scenario: 'Partition', durationSeconds: 600 })
    await eventually(
      'the WAN cut',
      () => Promise.resolve(flipsSince()),
      (f) => f.length === 1,
      30_000,
    )
    await scenario.restartOperator()
    await eventually(
      'the fresh operator asked for the cut again',
      () => Promise.resolve(flipsSince()),
      (f) => f.length === 2,
      30_000,
    )
    const removedAt = Date.now()
    succeeded(
      await scenario.cp.kubectl([
        'patch',
        'site',
        'shanghai',
        '-n',
        'callcenter',
        '--type',
        'json',
        '-p',
        '[{"op":"remove","path":"/spec/drill"}]',
      ]),
      'remove the drill',
    )
    const done = await eventually(
      'the removed drill over',
      () => site('shanghai'),
      (s) => s.status?.lastDrill?.name === 'partition-aborted' && ['Completed', 'Failed'].includes(s.status.lastDrill.state),
      60_000,
    )
    assert.equal(done.status?.lastDrill?.state, 'Completed', JSON.stringify(done.status?.lastDrill))
    const flips = flipsSince()
    assert.deepEqual(
      flips.map((f) => f.action),
      ['cut', 'cut', 'heal'],
    )
    assert.ok((flips[2]?.at ?? 0) >= removedAt, 'healed after the removal, long before the 600 s were over')
    await eventually(
      'shanghai answers over the WAN again',
      () => probeHttpHealth(loginOverWan(), 2000),
      (r) => r.ok,
      10_000,
    )
  })

  it('once healed, the operator sees shanghai healthy again; its traffic stays away until failback is approved', async () => {
    const healed = await eventually(
      'shanghai healthy again',
      () => site('shanghai'),
      (s) => s.status?.health === 'Healthy',
      60_000,
    )
    assert.equal(healed.status?.heartbeat?.failedOver, true, 'Manual failback')
  })
})
