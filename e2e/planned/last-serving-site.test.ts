// Never black out, end to end: two sites of real processes (Redis, login, ACD, Kamailio edge, SIPp as the
// soft switch, a drill agent), a real control plane, the operator as a process, simulated agents.
// Both Sites patched Fenced at the same moment: exactly one goes, the other is held (condition Held,
// a Warning Event naming the fenced site) and takes every call and agent; a restarted operator keeps that
// decision. The fenced site back to Active releases the held fence by itself. A SiteDown drill at the
// only site serving is held, and starts once the other site serves again; with the drilled site failed
// over, a fence of the last site serving is held until the allow-blackout annotation lets it go.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Site } from '../../crds/types.ts'
import { probeSipOptions } from '../../operator/failover/probes.ts'
import { succeeded } from '../api/kubectl-helpers.ts'
import { startDrillScenario, type DrillScenario } from '../failover/drill-scenario.ts'
import { bothSitesHealthy, eventsFor } from '../operator/cluster-state.ts'
import { eventually } from '../operator/operator-process.ts'
import { CALLER_PREFIXES, placeCalls } from '../sites/calls.ts'
import { SITE_NAMES, type SiteName } from '../sites/manifests.ts'

const AGENTS = 40
type Condition = NonNullable<NonNullable<Site['status']>['conditions']>[number]

const heldOf = (site: Site): Condition | undefined => site.status?.conditions?.find((c) => c.type === 'Held')
const other = (name: SiteName): SiteName => (name === 'shanghai' ? 'nantong' : 'shanghai')

describe('never black out: the last serving site is held', () => {
  let scenario: DrillScenario
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-hold-reports-'))
  /** The site whose fence went ahead in the first test, and the one held. */
  let fenced: SiteName = 'nantong'
  let serving: SiteName = 'shanghai'

  before(async () => {
    scenario = await startDrillScenario({ agents: AGENTS, reportDir, operatorName: 'hold' })
  })
  after(async () => {
    await scenario.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)
  const kubectl = async (args: string[]) => succeeded(await scenario.cp.kubectl(args), `kubectl ${args.slice(0, 3).join(' ')}`)
  const patchSite = (name: SiteName, patch: unknown) =>
    kubectl(['patch', 'site', name, '-n', 'callcenter', '--type', 'merge', '-p', JSON.stringify(patch)])
  /** Calls through both edges, from a caller each edge's prefix rules route to its own site. */
  const callsThroughBothEdges = () =>
    Promise.all(SITE_NAMES.map((edge) => placeCalls(scenario.sites, edge, { calls: 5, rate: 5, callerPrefix: CALLER_PREFIXES[edge] })))
  const census = () => scenario.fleet.simulator.census().bySite

  it('sees both sites healthy first', () => bothSitesHealthy(site))

  it('both patched Fenced at once: exactly one is held, says why, and takes every call and agent', async () => {
    await Promise.all(SITE_NAMES.map((name) => patchSite(name, { spec: { traffic: 'Fenced' } })))
    const [shanghai, nantong] = await eventually(
      'one fence in effect and the other held',
      () => Promise.all(SITE_NAMES.map(site)),
      (both) => both.some((s) => s.status?.admitted?.traffic === 'Fenced') && both.some((s) => heldOf(s)?.status === 'True'),
      30_000,
    )
    assert.ok(shanghai && nantong)
    const held = heldOf(shanghai)?.status === 'True' ? shanghai : nantong
    serving = held.metadata.name as SiteName
    fenced = other(serving)
    const condition = heldOf(held)
    assert.ok(condition)
    assert.equal(condition.reason, 'LastServingSite')
    assert.match(
      condition.message,
      new RegExp(`^spec.traffic Fenced held: site ${serving} is the last site serving \\(${fenced}: Fenced\\)`),
    )
    assert.equal(held.status?.admitted?.traffic, 'Active', 'the held site keeps serving')
    assert.equal(held.status.role, 'Serving')
    const fencedSite = await site(fenced)
    assert.equal(heldOf(fencedSite), undefined, 'exactly one is held')
    assert.match(await eventsFor(scenario.cp, serving), /Warning Held: spec.traffic Fenced held: site \S+ is the last site serving/)

    await eventually(
      `every agent at ${serving}`,
      () => Promise.resolve(census()),
      (bySite) => bySite[serving] === AGENTS,
      60_000,
    )
    const calls = await callsThroughBothEdges()
    for (const run of calls) {
      assert.equal(run.failed, 0, `calls through ${run.edgeSite}'s edge`)
      assert.equal(run.landed[serving], 5, `calls through ${run.edgeSite}'s edge land at ${serving}`)
      assert.equal(run.landed[fenced], 0)
    }
  })

  it('a restarted operator decides the same from status: nothing moves', async () => {
    await scenario.restartOperator()
    const operator = scenario.operator()
    await eventually(
      'the new operator has decided',
      () => operator.metric('callcenter_operator_reconciles_total{controller="hold"'),
      (reconciles) => reconciles > 0,
      30_000,
    )
    const [held, gone] = await Promise.all([site(serving), site(fenced)])
    assert.equal(heldOf(held)?.status, 'True')
    assert.equal(held.status?.admitted?.traffic, 'Active')
    assert.equal(gone.status?.admitted?.traffic, 'Fenced')
    const calls = await placeCalls(scenario.sites, fenced, { calls: 5, rate: 5, callerPrefix: CALLER_PREFIXES[fenced] })
    assert.equal(calls.failed, 0)
    assert.equal(calls.landed[serving], 5)
  })

  it('the fenced site back to Active releases the held fence by itself', async () => {
    const [back, held] = [fenced, serving]
    await patchSite(back, { spec: { traffic: 'Active' } })
    // From here on: `back` serves, the site that was held is Fenced.
    ;[serving, fenced] = [back, held]
    const released = await eventually(
      `${held}'s fence in effect`,
      () => site(held),
      (s) => s.status?.admitted?.traffic === 'Fenced' && heldOf(s)?.status === 'False',
      30_000,
    )
    assert.equal(heldOf(released)?.reason, 'Released')
    assert.equal(heldOf(released)?.message, `spec.traffic Fenced went ahead: ${back} serves again`)
    assert.match(await eventsFor(scenario.cp, held), /Normal Released: spec.traffic Fenced went ahead/)
    const switched = await eventually(
      `${held} fenced: its edges off, its agents told to move to ${back}`,
      () => site(held),
      (s) => s.status?.plannedSwitchover?.traffic === 'Fenced' && s.status.plannedSwitchover.edges === 'Inactive',
      30_000,
    )
    assert.deepEqual(
      switched.status?.plannedSwitchover?.takeovers?.map((t) => [t.site, t.at]),
      [[held, back]],
    )
    const calls = await placeCalls(scenario.sites, held, { calls: 5, rate: 5, callerPrefix: CALLER_PREFIXES[held] })
    assert.equal(calls.failed, 0)
    assert.equal(calls.landed[back], 5)
  })

  it('a SiteDown drill at the only site serving is held: nothing is stopped, calls still land there', async () => {
    await scenario.startDrill(serving, { name: 'held-site-down', scenario: 'SiteDown', durationSeconds: 10 })
    const held = await eventually(
      'the drill held',
      () => site(serving),
      (s) => heldOf(s)?.status === 'True',
      30_000,
    )
    assert.match(
      heldOf(held)?.message ?? '',
      new RegExp(`^drill held-site-down \\(SiteDown\\) held: site ${serving} is the last site serving \\(${fenced}: Fenced\\)`),
    )
    assert.notEqual(held.status?.lastDrill?.name, 'held-site-down', 'not started')
    assert.equal((await probeSipOptions(scenario.sites.sites[serving].softswitchSip, 2000)).ok, true, 'its soft switch still runs')
    const calls = await placeCalls(scenario.sites, fenced, { calls: 5, rate: 5, callerPrefix: CALLER_PREFIXES[fenced] })
    assert.equal(calls.failed, 0)
    assert.equal(calls.landed[serving], 5)
  })

  it('the other site serving again releases the held drill: it runs and fails the site over', async () => {
    await patchSite(fenced, { spec: { traffic: 'Active' } })
    const done = await eventually(
      'the released drill completed',
      () => site(serving),
      (s) => s.status?.lastDrill?.name === 'held-site-down' && s.status.lastDrill.state === 'Completed',
      150_000,
    )
    console.log(JSON.stringify({ releasedDrill: done.status?.lastDrill?.timeline }))
    assert.equal(done.status?.lastDrill?.scenario, 'SiteDown')
    assert.equal(heldOf(done)?.reason, 'Released')
    assert.equal(done.status.heartbeat?.failedOver, true, 'failed over, and stays (Manual failback)')
    assert.ok(done.status.lastDrill.timeline.flipped, 'the edges stopped sending to it')
  })

  it(`with the drilled site failed over, fencing the last site serving is held until the allow-blackout annotation`, async () => {
    const last = fenced
    await patchSite(last, { spec: { traffic: 'Fenced' } })
    const held = await eventually(
      'the fence held',
      () => site(last),
      (s) => heldOf(s)?.status === 'True',
      30_000,
    )
    assert.match(heldOf(held)?.message ?? '', new RegExp(`\\(${serving}: failed over\\)`))
    assert.equal(held.status?.admitted?.traffic, 'Active')

    await kubectl(['annotate', 'site', last, '-n', 'callcenter', 'callcenter.dev/allow-blackout=e2e: the whole call center goes dark'])
    const overridden = await eventually(
      'the fence in effect',
      () => site(last),
      (s) => s.status?.admitted?.traffic === 'Fenced',
      30_000,
    )
    assert.equal(overridden.status?.admitted?.override, 'e2e: the whole call center goes dark')
    assert.equal(heldOf(overridden)?.reason, 'Overridden')
    assert.match(
      await eventsFor(scenario.cp, last),
      /Warning BlackoutAllowed: spec.traffic Fenced went ahead although no other site serves/,
    )
    await eventually(
      `${last} Fenced`,
      () => site(last),
      (s) => s.status?.plannedSwitchover?.traffic === 'Fenced' && s.status.plannedSwitchover.edges === 'Inactive',
      30_000,
    )
  })
})
