// The operator dies mid-failover and the next replica finishes the failover from what status says.
// Two sites of real processes (Redis, login, Kamailio edge, SIPp as the soft switch) in External mode, a
// real control plane, operator processes with leader election, simulated agents. The operator reaches
// nantong's edge (JSON-RPC) and login service through gated HTTP proxies, so the test can hold a failover
// at a chosen step long enough to kill the leader there (replicas-scenario.ts).
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import type { Trunk } from '../../crds/types.ts'
import { EdgeRouting, KamailioRpc } from '../../workloads/edge/index.ts'
import { succeeded } from '../api/kubectl-helpers.ts'
import { eventually } from '../operator/operator-process.ts'
import { NAMESPACE, startReplicasScenario, type ReplicasScenario } from './replicas-scenario.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'

const AGENTS = 200

interface SiteEvent {
  reason?: string
  regarding?: { kind?: string; name?: string }
}

async function failoverCompletedEvents(scenario: ReplicasScenario): Promise<SiteEvent[]> {
  const list = JSON.parse(
    succeeded(await scenario.cp.kubectl(['get', 'events.events.k8s.io', '-n', NAMESPACE, '-o', 'json']), 'get events'),
  ) as { items: SiteEvent[] }
  return list.items.filter((e) => e.reason === 'FailoverCompleted' && e.regarding?.kind === 'Site' && e.regarding.name === 'shanghai')
}

// 1. the edge refuses dispatcher.set_state: shanghai is confirmed Failed and the takeover is started
//    (status.heartbeat.takeovers), but the flip is not acknowledged -> SIGKILL the leader;
// 2. the edge answers again, the login service refuses the takeover reports: the next leader flips, but
//    cannot follow the takeover (status.lastFailover absent) -> SIGKILL that leader too;
// 3. the last replica follows the takeover to its end and records the timeline and the report, once.
describe('operator killed mid-failover, twice: the last replica finishes it (SIPp stands in for FreeSWITCH)', () => {
  let scenario: ReplicasScenario
  before(async () => {
    scenario = await startReplicasScenario({ agents: AGENTS, replicas: ['replica-a', 'replica-b', 'replica-c'] })
  })
  after(async () => {
    await scenario.stop()
  })

  const trunk = async () =>
    JSON.parse(
      succeeded(
        await scenario.cp.kubectl(['get', 'trunk', scenario.sites.trunkManifests()[0]?.metadata.name ?? '', '-n', NAMESPACE, '-o', 'json']),
        'get trunk',
      ),
    ) as Trunk

  it('sees both sites healthy first', () => bothSitesHealthy((name) => scenario.site(name)))

  let takeoversAtFirstKill: unknown
  let failoverId = ''
  const killed: string[] = []

  it('kills the leader after shanghai is confirmed Failed and the takeover started, before the flip is acknowledged', async () => {
    const { nantongEdge, nantongLogin, fleet } = scenario
    nantongEdge.setGate((request) => (request.rpcMethod === 'dispatcher.set_state' ? { refuse: 503 } : undefined))
    await scenario.sites.sites.shanghai.kill()
    const held = await eventually(
      'shanghai Failed with the takeover started and the flip not acknowledged',
      () => scenario.site('shanghai'),
      (s) => s.status?.health === 'Failed' && (s.status.heartbeat?.takeovers ?? []).some((t) => t.site === 'nantong'),
      60_000,
    )
    const failover = held.status?.heartbeat?.failover
    assert.ok(failover?.confirmed, 'the failure is confirmed')
    assert.equal(failover.flipped, undefined, 'the flip is not acknowledged while the edge refuses it')
    assert.equal(held.status?.lastFailover, undefined)
    failoverId = failover.id
    takeoversAtFirstKill = held.status?.heartbeat?.takeovers
    // The agents move over their standby connections meanwhile: the takeover is running at nantong.
    await eventually(
      'every agent signed in at nantong',
      () => Promise.resolve(fleet.simulator.census().bySite.nantong ?? 0),
      (n) => n === AGENTS,
      60_000,
    )
    await eventually(
      'the leader tried the flip again at a later probe round',
      () => Promise.resolve(nantongEdge.refused.filter((r) => r.rpcMethod === 'dispatcher.set_state').length),
      (n) => n >= 2,
    )
    killed.push(await scenario.killLeader())
    assert.deepEqual(killed, ['replica-a'])
    nantongLogin.setGate((request) => (request.method === 'GET' && request.path.startsWith('/v1/takeover/') ? { refuse: 503 } : undefined))
    nantongEdge.setGate(undefined)
  })

  it('the next leader flips the edge and keeps the takeover it finds in status; killed before the timeline is written', async () => {
    const { nantongEdge, nantongLogin, sites } = scenario
    const flipped = await eventually(
      'the flip acknowledged by the next leader',
      () => scenario.site('shanghai'),
      (s) => s.status?.heartbeat?.failover?.flipped !== undefined,
      60_000,
    )
    assert.equal(flipped.status?.heartbeat?.failover?.id, failoverId, 'the same failover, not a new one')
    assert.deepEqual(flipped.status.heartbeat.takeovers, takeoversAtFirstKill, 'the takeover recorded in status is kept')
    assert.equal(flipped.status.lastFailover, undefined, 'not finished while the takeover reports are refused')
    assert.ok(
      nantongEdge.forwarded.some((r) => r.rpcMethod === 'dispatcher.set_state'),
      'the new leader set the destinations at the edge',
    )
    const destinations = await new EdgeRouting({ rpc: new KamailioRpc({ url: sites.sites.nantong.edgeRpcUrl }) }).destinations()
    const ofShanghai = destinations.filter((d) => d.site === 'shanghai')
    assert.ok(ofShanghai.length > 0)
    assert.ok(
      ofShanghai.every((d) => d.state === 'disabled'),
      `nantong's edge no longer sends to shanghai: ${JSON.stringify(ofShanghai)}`,
    )
    await eventually('the trunk shows the flip', trunk, (t) =>
      (t.status?.routes ?? []).some((r) => r.site === 'shanghai' && r.state === 'Inactive'),
    )
    await eventually(
      'a takeover report was asked for and refused',
      () => Promise.resolve(nantongLogin.refused.length),
      (n) => n > 0,
    )
    assert.equal((await scenario.site('shanghai')).status?.lastFailover, undefined)
    killed.push(await scenario.killLeader())
    nantongLogin.setGate(undefined)
  })

  it('the last replica follows the takeover to its end and records the timeline once, with the report on disk', async () => {
    const { fleet, reportDir } = scenario
    const done = await eventually(
      'the failover recorded',
      () => scenario.site('shanghai'),
      (s) => s.status?.lastFailover !== undefined,
      90_000,
    )
    const timeline = done.status?.lastFailover
    const marks = done.status?.heartbeat?.failover
    assert.ok(timeline && marks)
    assert.equal(timeline.id, failoverId)
    assert.deepEqual(
      { fault: timeline.fault, suspect: timeline.suspect, confirmed: timeline.confirmed, flipped: timeline.flipped },
      { fault: marks.fault, suspect: marks.suspect, confirmed: marks.confirmed, flipped: marks.flipped },
      'the timeline carries every mark, including the flip made by the second leader',
    )
    assert.ok((timeline.agentsMoved ?? 0) >= fleet.homes.shanghai, `agents moved: ${timeline.agentsMoved}`)
    assert.equal(timeline.agentsLost, 0)
    assert.ok(timeline.reloginMilliseconds, 'percentiles recorded')
    assert.ok(timeline.report && existsSync(timeline.report), `report written: ${timeline.report ?? ''}`)
    const report = JSON.parse(readFileSync(timeline.report, 'utf8')) as { id: string; phases: { name: string }[]; agents: unknown[] }
    assert.equal(report.id, failoverId)
    // In time order; the agents moved before the second leader could flip, so firstRelogin comes before flipped.
    assert.deepEqual(report.phases.map((p) => p.name).sort(), ['completed', 'confirmed', 'fault', 'firstRelogin', 'flipped', 'suspect'])
    assert.equal(report.agents.length, timeline.agentsMoved)
    assert.deepEqual(readdirSync(reportDir).sort(), [`${failoverId}.json`, `${failoverId}.svg`])
    assert.equal(scenario.takeoverStarts(), 1, 'three operators, one takeover started')
    assert.equal(fleet.simulator.census().bySite.nantong, AGENTS, 'every agent is signed in at nantong')
    const events = await eventually(
      'the FailoverCompleted event',
      () => failoverCompletedEvents(scenario),
      (e) => e.length > 0,
    )
    assert.equal(events.length, 1)
    const last = ['replica-a', 'replica-b', 'replica-c'].find((name) => !killed.includes(name))
    assert.equal((await scenario.leader())?.name, last, 'the replica never killed leads')
    console.log(
      JSON.stringify({
        agents: AGENTS,
        failover: failoverId,
        moved: timeline.agentsMoved,
        timeline: { fault: timeline.fault, suspect: timeline.suspect, confirmed: timeline.confirmed, flipped: timeline.flipped },
        reloginMilliseconds: timeline.reloginMilliseconds,
        takeoverStarts: scenario.takeoverStarts(),
        flipsRefused: scenario.nantongEdge.refused.length,
        reportsRefused: scenario.nantongLogin.refused.length,
      }),
    )
  })
})

// The leader dies after the login service started the takeover but before the leader heard its id, so
// status holds no takeover (nor even Failed: status is written after the flip's requests). The next
// leader asks again with the same key (the failover id) and gets the takeover already started, whose
// re-logins the timeline then counts.
describe('operator killed while its takeover request is in flight (SIPp stands in for FreeSWITCH)', () => {
  let scenario: ReplicasScenario
  let release = () => {}
  before(async () => {
    scenario = await startReplicasScenario({ agents: AGENTS, replicas: ['replica-a', 'replica-b'] })
  })
  after(async () => {
    release()
    await scenario.stop()
  })

  it('sees both sites healthy first', () => bothSitesHealthy((name) => scenario.site(name)))

  it('starts one takeover and records the agents it moved', async () => {
    const answered = new Promise<void>((resolve) => (release = resolve))
    scenario.nantongLogin.setGate((request) =>
      request.method === 'POST' && request.path === '/v1/takeover' ? { answerAfter: answered } : undefined,
    )
    await scenario.sites.sites.shanghai.kill()
    await eventually(
      'the takeover request reached nantong',
      () => Promise.resolve(scenario.takeoverStarts()),
      (n) => n === 1,
      60_000,
    )
    assert.equal(await scenario.killLeader(), 'replica-a')
    release()
    scenario.nantongLogin.setGate(undefined)
    await eventually(
      'every agent signed in at nantong',
      () => Promise.resolve(scenario.fleet.simulator.census().bySite.nantong ?? 0),
      (n) => n === AGENTS,
      60_000,
    )
    await eventually(
      'the next leader flipped',
      () => scenario.site('shanghai'),
      (s) => s.status?.heartbeat?.failover?.flipped !== undefined,
      60_000,
    )
    assert.equal(await scenario.takeoversStarted(), 1, 'asked for again, but one takeover started')
    const done = await eventually(
      'the failover recorded',
      () => scenario.site('shanghai'),
      (s) => s.status?.lastFailover !== undefined,
      60_000,
    )
    assert.ok((done.status?.lastFailover?.agentsMoved ?? 0) >= scenario.fleet.homes.shanghai)
  })
})
