// Planned switchover end to end: two sites of real processes (Redis, login, ACD, Kamailio edge, SIPp as
// the soft switch), a real control plane, the operator as a process, simulated agents in this process.
// A real SIP call (SIPp -> shanghai's Kamailio -> shanghai's soft switch) is in progress, carried by an
// agent of group G whom shanghai's ACD has on that call. Pinning G to nantong moves G's other agents at
// once and that agent only after the call completed; shanghai's ACD then sends G's calls to nantong.
// Draining shanghai moves the remaining agents and sends new calls from shanghai's numbers to
// nantong's soft switch; Active again brings them back. Both sites' Redis are sampled throughout: no
// agent is ever signed in at two sites.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Site, SkillGroup } from '../../crds/types.ts'
import { skillGroupName } from '../../examples/fleet/fleet.ts'
import type { AgentClient } from '../../workloads/agent/client.ts'
import { AgentSimulator } from '../../workloads/agent/simulator.ts'
import { DID } from '../../workloads/edge/testing/fixture.ts'
import { runCalls, type CallRun } from '../../workloads/edge/testing/sipp.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { eventually, startOperator, type OperatorProcess } from '../operator/operator-process.ts'
import { CALLER_PREFIXES, placeCalls } from '../sites/calls.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'
import { acd } from './acd.ts'
import { sampleSessions, type SessionSampler } from './sessions.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'

const AGENTS = 40
const GROUP = skillGroupName(0)
const NAMESPACE = 'callcenter'
/** Long enough to pin the group and watch the others move while the call is still up on a loaded machine. */
const CALL_HOLD_MS = 20_000

interface ShanghaiAgent {
  agentId: string
  inGroup: boolean
  client: AgentClient
}

describe('planned switchover: pin a skill group with a call in progress, then drain a site (SIPp stands in for FreeSWITCH)', () => {
  let sites: TwoSites
  let cp: ControlPlane
  let operator: OperatorProcess
  let simulator: AgentSimulator
  let sampler: SessionSampler
  let agents: ShanghaiAgent[] = []
  /** When each agent last signed in, and where. */
  const signIns = new Map<string, { site: string; at: number }>()

  const kubectl = async (args: string[], input?: string) =>
    succeeded(await cp.kubectl(args, input === undefined ? {} : { input }), `kubectl ${args.slice(0, 3).join(' ')}`)
  const get = async <T>(kind: string, name: string) => JSON.parse(await kubectl(['get', kind, name, '-n', NAMESPACE, '-o', 'json'])) as T
  const patch = (kind: string, name: string, patchBody: unknown) =>
    kubectl(['patch', kind, name, '-n', NAMESPACE, '--type', 'merge', '-p', JSON.stringify(patchBody)])
  const inGroup = () => agents.filter((a) => a.inGroup)
  const notInGroup = () => agents.filter((a) => !a.inGroup)
  const siteOf = (agent: ShanghaiAgent): string | undefined => agent.client.session?.site

  before(async () => {
    sites = await startTwoSites({ agents: AGENTS, skillGroups: 2 })
    cp = await startControlPlane()
    await installCrds(cp)
    await kubectl(['create', 'namespace', NAMESPACE])
    const objects = [...sites.secretManifests(), ...sites.siteManifests(), ...sites.trunkManifests(), ...sites.fleet.skillGroups]
    for (const object of objects) await kubectl(['apply', '-f', '-'], JSON.stringify(object))
    operator = await startOperator(cp, 'planned')

    const { fleet } = sites
    const homedAtShanghai = fleet.agentSeats.flatMap((seat, index) => {
      const pcHostName = fleet.phoneMACs[index]?.spec.pcHostName
      return seat.spec.homeSite === 'shanghai' && pcHostName !== undefined ? [{ seat, pcHostName }] : []
    })
    simulator = new AgentSimulator({
      agents: homedAtShanghai.map(({ seat, pcHostName }) => ({
        credentials: { account: seat.spec.account, password: sites.agentPassword, pcHostName },
        primaryUrl: sites.sites.shanghai.loginUrl,
        standbyUrl: sites.sites.nantong.loginUrl,
      })),
      heartbeatIntervalMs: 1_000,
      slots: 10,
      onEvent: (client, event) => {
        const agentId = client.session?.agentId
        if (event.type === 'signed-in' && agentId !== undefined) signIns.set(agentId, { site: event.site, at: Date.now() })
      },
    })
    const storm = await simulator.signInAll()
    assert.equal(storm.failed, 0, JSON.stringify(storm.failures))
    agents = homedAtShanghai.map(({ seat }, index) => {
      const client = simulator.clients[index]
      assert.ok(client)
      return { agentId: seat.spec.agentId, inGroup: seat.spec.skills.some((s) => s.skillGroup === GROUP), client }
    })
    assert.ok(inGroup().length >= 2 && notInGroup().length >= 1, `the fleet has agents in ${GROUP} and others at shanghai`)
    await eventually(
      'every standby connection at nantong',
      () => Promise.resolve(simulator.census()),
      (census) => census.standby === agents.length,
      30_000,
    )
    sampler = sampleSessions(
      { shanghai: sites.sites.shanghai.redisUrl, nantong: sites.sites.nantong.redisUrl },
      agents.map((a) => a.agentId),
    )
  })

  after(async () => {
    await sampler.stop()
    simulator.stop()
    await operator.stop()
    await cp.stop()
    await sites.stop()
  })

  it('sees both sites healthy first', () => bothSitesHealthy((name) => get<Site>('site', name), 60_000))

  it(`pins ${GROUP} to nantong: its free agents move at once, the one on a call only after the SIP call completed`, async () => {
    const [carrier, ...others] = inGroup()
    assert.ok(carrier)
    const session = carrier.client.session
    assert.ok(session)
    const shanghaiAcd = acd(sites.sites.shanghai.acdUrl)

    // A real call from a Shanghai number through shanghai's edge, answered by shanghai's soft switch.
    const caller = `${CALLER_PREFIXES.shanghai}77000001`
    const callState: { endedAt?: number } = {}
    const callEnded = (): number | undefined => callState.endedAt
    const call: Promise<CallRun> = runCalls({
      edge: sites.sites.shanghai.edgeSip,
      called: DID,
      caller,
      calls: 1,
      rate: 1,
      holdMilliseconds: CALL_HOLD_MS,
      timeoutSeconds: 90,
    }).finally(() => (callState.endedAt = Date.now()))
    const invite = await eventually(
      'the call at shanghai soft switch',
      async () => (await sites.sites.shanghai.softswitchInvites()).find((i) => i.caller === caller),
      (found) => found !== undefined,
      15_000,
    )
    assert.ok(invite)

    // Shanghai's ACD puts the carrier on the call, as it would for a call the CTI queued; the desktop follows the ACD.
    const seat = sites.fleet.agentSeats.find((s) => s.spec.agentId === carrier.agentId)
    assert.ok(seat)
    await shanghaiAcd.signIn(carrier.agentId, {
      site: 'shanghai',
      extension: session.extension,
      operatorId: String(session.operatorId),
      skills: seat.spec.skills.map((skill) => ({ skillGroup: skill.skillGroup, proficiency: skill.proficiency ?? 5 })),
    })
    const offer = (await shanghaiAcd.queue(invite.callId, GROUP, caller)).instruction
    assert.ok(offer.kind === 'offer', `an offer, not ${JSON.stringify(offer)}`)
    assert.deepEqual(
      offer.agents.map((a) => a.agentId),
      [carrier.agentId],
    )
    await shanghaiAcd.answered(offer.reservationId, carrier.agentId)
    assert.equal((await shanghaiAcd.agent(carrier.agentId)).state, 'OnCall')
    carrier.client.setOnCall(true)

    const pinnedAt = Date.now()
    await patch('skillgroup', GROUP, { spec: { pinnedSite: 'nantong' } })
    await eventually(
      `the other ${GROUP} agents at nantong`,
      () => Promise.resolve(others.map(siteOf)),
      (where) => where.every((site) => site === 'nantong'),
      30_000,
    )
    await eventually(
      'the carrier waiting to move after the call',
      () => Promise.resolve(carrier.client.movePendingTo),
      (site) => site === 'nantong',
      10_000,
    )
    const othersMovedMs = Date.now() - pinnedAt
    assert.equal(callEnded(), undefined, 'the SIP call is still in progress')
    assert.equal(siteOf(carrier), 'shanghai')
    assert.deepEqual(await sampler.sitesOf(carrier.agentId), ['shanghai'])
    for (const agent of notInGroup()) assert.equal(siteOf(agent), 'shanghai', `${agent.agentId} is not in ${GROUP}: it stays`)

    // Shanghai's ACD no longer offers the group's calls to its agents: they go to nantong.
    const transferred = await eventually(
      `shanghai's ACD sending ${GROUP} calls to nantong`,
      async () => shanghaiAcd.queue(`after-pin-${Date.now()}`, GROUP, caller),
      (c) => c.state === 'Transferred',
      20_000,
    )
    assert.deepEqual(transferred.instruction, { seq: 2, kind: 'transfer', site: 'nantong', skillGroup: GROUP })

    const result = await call
    assert.equal(result.successful, 1, 'SIPp completed the call: answered, held, BYE answered with 200')
    assert.equal(result.failed, 0)
    const callEndedAt = callEnded()
    assert.ok(callEndedAt !== undefined)
    await shanghaiAcd.ended(invite.callId)
    const afterCall = await shanghaiAcd.agent(carrier.agentId)
    assert.notEqual(afterCall.state, 'OnCall')
    carrier.client.setOnCall(false)

    await eventually(
      'the carrier at nantong',
      () => Promise.resolve(siteOf(carrier)),
      (site) => site === 'nantong',
      20_000,
    )
    const moved = signIns.get(carrier.agentId)
    assert.ok(moved?.site === 'nantong' && moved.at >= callEndedAt, 'the carrier signed in at nantong only after the call ended')
    console.log(
      JSON.stringify({
        pinned: GROUP,
        agentsInGroup: inGroup().length,
        othersAtNantongWithinMs: othersMovedMs,
        carrierSignedInAtNantongMsAfterCallEnded: moved.at - callEndedAt,
      }),
    )
    assert.deepEqual(await sampler.sitesOf(carrier.agentId), ['nantong'])

    const group = await eventually(
      'SkillGroup status.pinning with every agent moved',
      () => get<SkillGroup>('skillgroup', GROUP),
      (g) => g.status?.pinning?.site === 'nantong' && g.status.pinning.agentsMoved === inGroup().length,
      30_000,
    )
    const pinning = group.status?.pinning
    assert.ok(pinning)
    assert.equal(pinning.agentsInstructed, inGroup().length)
    assert.deepEqual(
      pinning.takeovers?.map((t) => [t.site, t.at]),
      [['shanghai', 'nantong']],
    )
  })

  it('drains shanghai: no new calls there, its remaining agents move, calls from Shanghai numbers land at nantong', async () => {
    await patch('site', 'shanghai', { spec: { traffic: 'Drain' } })
    const drained = await eventually(
      'shanghai drained',
      () => get<Site>('site', 'shanghai'),
      (s) => s.status?.plannedSwitchover?.edges === 'Inactive' && s.status.phase === 'Draining',
      30_000,
    )
    assert.equal(drained.status?.role, 'Drained')
    await eventually(
      'every agent at nantong',
      () => Promise.resolve(simulator.census().bySite),
      (bySite) => bySite.nantong === agents.length,
      30_000,
    )
    const calls = await placeCalls(sites, 'shanghai', { calls: 10, rate: 10, callerPrefix: CALLER_PREFIXES.shanghai })
    assert.equal(calls.failed, 0)
    assert.deepEqual(calls.landed, { shanghai: 0, nantong: 10 })
    const status = await eventually(
      'the drain takeover followed',
      () => get<Site>('site', 'shanghai'),
      (s) => (s.status?.plannedSwitchover?.agentsMoved ?? 0) === notInGroup().length,
      30_000,
    )
    assert.deepEqual(
      status.status?.plannedSwitchover?.takeovers?.map((t) => [t.site, t.at]),
      [['shanghai', 'nantong']],
    )
  })

  it('back to Active: calls from Shanghai numbers land at shanghai again', async () => {
    await patch('site', 'shanghai', { spec: { traffic: 'Active' } })
    await eventually(
      'shanghai edges active',
      () => get<Site>('site', 'shanghai'),
      (s) => s.status?.plannedSwitchover?.traffic === 'Active' && s.status.plannedSwitchover.edges === 'Active',
      30_000,
    )
    const calls = await placeCalls(sites, 'shanghai', { calls: 10, rate: 10, callerPrefix: CALLER_PREFIXES.shanghai })
    assert.equal(calls.failed, 0)
    assert.deepEqual(calls.landed, { shanghai: 10, nantong: 0 })
  })

  it('never had an agent signed in at both sites in any sample', async () => {
    const { doubles, rounds } = await sampler.stop()
    sampler = { sitesOf: () => Promise.resolve([]), stop: () => Promise.resolve({ doubles: [], rounds: 0 }) }
    console.log(JSON.stringify({ agents: agents.length, sampleRounds: rounds, agentsSeenAtTwoSites: doubles.length }))
    assert.ok(rounds > 10, `sampled ${rounds} rounds`)
    assert.deepEqual(doubles, [])
  })
})
