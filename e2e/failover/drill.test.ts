// Chaos drills by `kubectl patch`, end to end: two sites of real processes (Redis, login, ACD, Kamailio
// edge, SIPp as the soft switch) in External mode, each with a drill agent that really SIGKILLs and
// restarts them; a real control plane; the operator as a process; simulated agents.
// HeartbeatLoss and EdgeDown run first: they must leave shanghai serving. SiteDown then fails it over
// for real (and, with Manual failback, its agents stay at nantong afterwards).
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import type { Site } from '../../crds/types.ts'
import { probeHttpHealth, probeSipOptions } from '../../operator/failover/probes.ts'
import { succeeded } from '../api/kubectl-helpers.ts'
import { eventually } from '../operator/operator-process.ts'
import { startDrillScenario, type DrillScenario } from './drill-scenario.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'

const AGENTS = 200

type LastDrill = NonNullable<NonNullable<Site['status']>['lastDrill']>

describe('drills by kubectl patch on a site of real processes (SIPp stands in for FreeSWITCH)', () => {
  let scenario: DrillScenario
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-drill-reports-'))

  before(async () => {
    scenario = await startDrillScenario({ agents: AGENTS, reportDir, operatorName: 'drills' })
  })
  after(async () => {
    await scenario.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)

  /** Polls shanghai until its drill `name` is over, keeping every health state seen on the way. */
  const followDrill = async (name: string, timeoutMs: number): Promise<{ site: Site; healths: Set<string> }> => {
    const healths = new Set<string>()
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const current = await site('shanghai')
      healths.add(current.status?.health ?? 'none')
      const drill = current.status?.lastDrill
      if (drill?.name === name && (drill.state === 'Completed' || drill.state === 'Failed')) return { site: current, healths }
      if (Date.now() > deadline) throw new Error(`drill ${name} not over in ${timeoutMs} ms; last saw ${JSON.stringify(current.status)}`)
      await delay(200)
    }
  }

  const drillEvents = async (): Promise<string[]> => {
    const list = JSON.parse(succeeded(await scenario.cp.kubectl(['get', 'events', '-n', 'callcenter', '-o', 'json']), 'get events')) as {
      items: { reason?: string; involvedObject?: { name?: string } }[]
    }
    return list.items.filter((e) => e.involvedObject?.name === 'shanghai' && e.reason?.startsWith('Drill')).map((e) => e.reason ?? '')
  }

  it('sees both sites healthy first', () => bothSitesHealthy(site))

  it('HeartbeatLoss: shanghai goes Suspect while its probes are dropped, is never failed over, and the drill completes', async () => {
    await scenario.startDrill('shanghai', { name: 'heartbeat-loss-1', scenario: 'HeartbeatLoss', durationSeconds: 8 })
    const { site: done, healths } = await followDrill('heartbeat-loss-1', 60_000)
    const drill = done.status?.lastDrill as LastDrill
    assert.equal(drill.state, 'Completed', JSON.stringify(drill))
    assert.ok(healths.has('Confirming') || healths.has('Suspect'), `went Suspect; saw ${[...healths].join(', ')}`)
    assert.ok(!healths.has('Failed'), `never Failed; saw ${[...healths].join(', ')}`)
    assert.ok(drill.timeline.suspect, 'the suspicion is in the timeline')
    assert.equal(drill.timeline.confirmed, undefined, 'never confirmed: the surviving edge still reached shanghai')
    assert.equal(drill.timeline.flipped, undefined)
    assert.equal(done.status?.heartbeat?.failedOver, false)
    assert.equal(done.status.lastFailover, undefined, 'no failover')
    assert.equal(scenario.fleet.simulator.census().bySite.shanghai, scenario.fleet.homes.shanghai, 'no agent left shanghai')
    assert.ok(drill.timeline.report && existsSync(drill.timeline.report), `report written: ${drill.timeline.report ?? ''}`)
    await eventually(
      'shanghai healthy again',
      () => site('shanghai'),
      (s) => s.status?.health === 'Healthy',
      30_000,
    )
  })

  it('EdgeDown with the operator SIGKILLed mid-drill: a fresh operator restores the edge and completes the drill', async () => {
    const shanghai = scenario.sites.sites.shanghai
    await scenario.startDrill('shanghai', { name: 'edge-down-1', scenario: 'EdgeDown', durationSeconds: 15 })
    await eventually(
      'the edge is down and the drill Running',
      () => site('shanghai'),
      (s) =>
        s.status?.lastDrill?.name === 'edge-down-1' &&
        s.status.lastDrill.state === 'Running' &&
        (s.status.heartbeat?.probes ?? []).some((p) => p.name === 'edge/edge1' && !p.reachable),
      30_000,
    )
    assert.equal((await probeSipOptions(shanghai.edgeSip, 2000)).ok, false, 'Kamailio is really stopped')
    await scenario.restartOperator()
    const { site: done, healths } = await followDrill('edge-down-1', 90_000)
    const drill = done.status?.lastDrill as LastDrill
    assert.equal(drill.state, 'Completed', JSON.stringify(drill))
    assert.ok(Date.parse(drill.timeline.restored ?? '') - Date.parse(drill.timeline.fault ?? '') >= 15_000, 'the fault lasted its 15 s')
    assert.ok(!healths.has('Failed'), `an edge alone does not fail the site over; saw ${[...healths].join(', ')}`)
    assert.equal((await probeSipOptions(shanghai.edgeSip, 2000)).ok, true, 'Kamailio restarted at its address')
  })

  it('SiteDown: shanghai fails over, its agents re-sign-in at nantong, the processes come back, the drill leaves its timeline and report', async () => {
    const patchedAt = Date.now()
    await scenario.startDrill('shanghai', { name: 'site-down-1', scenario: 'SiteDown', durationSeconds: 15 })
    const { site: done, healths } = await followDrill('site-down-1', 150_000)
    const drill = done.status?.lastDrill as LastDrill
    assert.equal(drill.state, 'Completed', JSON.stringify(drill))
    assert.ok(healths.has('Failed'), `shanghai was Failed; saw ${[...healths].join(', ')}`)
    assert.equal(done.status?.heartbeat?.failedOver, true, 'failed over (and stays: failback is Manual)')

    const { timeline } = drill
    const marks = ['fault', 'suspect', 'confirmed', 'flipped', 'restored'] as const
    for (const mark of marks) assert.ok(timeline[mark], `timeline.${mark} recorded: ${JSON.stringify(timeline)}`)
    const times = marks.map((mark) => Date.parse(timeline[mark] ?? ''))
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      `marks in order: ${JSON.stringify(timeline)}`,
    )
    assert.ok(Date.parse(timeline.restored ?? '') - Date.parse(timeline.fault ?? '') >= 15_000, 'the fault lasted its 15 s')
    assert.equal(timeline.agentsMoved, scenario.fleet.homes.shanghai, 'every shanghai agent re-signed-in at nantong')
    assert.equal(timeline.agentsLost, 0)
    assert.ok(timeline.reloginMilliseconds, 'percentiles recorded')

    assert.ok(timeline.report && existsSync(timeline.report), `report written: ${timeline.report ?? ''}`)
    const report = JSON.parse(readFileSync(timeline.report, 'utf8')) as { agents: unknown[]; phases: { name: string }[] }
    assert.equal(report.agents.length, scenario.fleet.homes.shanghai)
    assert.ok(report.phases.some((p) => p.name === 'restored'))
    assert.match(readFileSync(timeline.report.replace(/\.json$/, '.svg'), 'utf8'), /^<svg/)

    const shanghai = scenario.sites.sites.shanghai
    const back = await Promise.all([
      probeHttpHealth(shanghai.loginUrl, 2000),
      probeHttpHealth(shanghai.acdUrl, 2000),
      probeSipOptions(shanghai.edgeSip, 2000),
      probeSipOptions(shanghai.softswitchSip, 2000),
    ])
    assert.deepEqual(
      back.map((r) => r.ok),
      [true, true, true, true],
      'login, ACD, edge and soft switch restarted at their addresses',
    )
    const reasons = await drillEvents()
    for (const reason of ['DrillStarted', 'DrillRestoring', 'DrillCompleted'])
      assert.ok(reasons.includes(reason), `Event ${reason}: ${reasons.join(', ')}`)
    console.log(
      JSON.stringify({
        agents: AGENTS,
        patchToCompletedMs: Date.now() - patchedAt,
        timeline: Object.fromEntries(marks.map((mark) => [mark, timeline[mark]])),
        agentsMoved: timeline.agentsMoved,
        reloginMilliseconds: timeline.reloginMilliseconds,
        census: scenario.fleet.simulator.census().bySite,
      }),
    )
  })
})
