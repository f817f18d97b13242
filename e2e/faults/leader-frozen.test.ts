// The operator leader frozen (SIGSTOP) past its lease, then resumed (SIGCONT): the other replica takes
// the lease and fails shanghai over meanwhile; the resumed one must not act on its stale leadership. It
// must make no API write after it resumes (its own /metrics, read until it exits), record no Event, and
// step down (it exits, so that a fresh replica campaigns). Nothing is lost and no agent is signed in at
// two sites. Two sites of real processes, a real control plane, two operator processes with leader
// election (e2e/failover/replicas-scenario.ts).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import { succeeded } from '../api/kubectl-helpers.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'
import { eventually, type OperatorProcess } from '../operator/operator-process.ts'
import { NAMESPACE, startReplicasScenario, type ReplicasScenario } from '../failover/replicas-scenario.ts'
import { callsCompleteAt, everyAgentAt } from './checks.ts'
import { faultFigures, printFigures } from './figures.ts'
import { processState, signalAll, thawOnExit } from './freeze.ts'
import { sampleSignIns, type SignInSampler } from './sessions.ts'

const AGENTS = 40
/** The operator's lease is 10 s: frozen well past it. */
const FROZEN_MS = 20_000

interface EventItem {
  reason?: string
  reportingInstance?: string
  eventTime?: string
  metadata?: { creationTimestamp?: string }
}

describe('the operator leader frozen past its lease, then resumed: it does not act on stale leadership (SIPp stands in for FreeSWITCH)', () => {
  let scenario: ReplicasScenario
  let sampler: SignInSampler | undefined
  let frozen: number[] = []
  let releaseThaw: () => unknown = () => undefined

  before(async () => {
    scenario = await startReplicasScenario({ agents: AGENTS, replicas: ['leader-a', 'replica-b'] })
  })
  after(async () => {
    signalAll(frozen, 'SIGCONT')
    releaseThaw()
    await sampler?.stop()
    await scenario.stop()
  })

  const events = async (): Promise<EventItem[]> =>
    (
      JSON.parse(succeeded(await scenario.cp.kubectl(['get', 'events.events.k8s.io', '-n', NAMESPACE, '-o', 'json']), 'get events')) as {
        items: EventItem[]
      }
    ).items

  it('sees both sites healthy first', () => bothSitesHealthy((name) => scenario.site(name)))

  it('freezes the leader; the other replica takes over and fails shanghai over; the resumed one writes nothing and steps down', async () => {
    const leader = await scenario.leader()
    assert.ok(leader, 'one replica leads')
    assert.equal(leader.name, 'leader-a')
    const other = scenario.operators.find((o) => o !== leader) as OperatorProcess
    const pid = leader.child.pid ?? 0
    const writesBefore = await leader.apiWrites()
    sampler = sampleSignIns(scenario.sites)
    const frozenAt = Date.now()
    frozen = signalAll([pid], 'SIGSTOP')
    releaseThaw = thawOnExit(() => void signalAll(frozen, 'SIGCONT'))
    await eventually(
      'the leader stopped',
      () => Promise.resolve(processState(pid)),
      (state) => state === 'T',
      10_000,
    )
    await eventually(
      'replica-b leads',
      () => other.metric('callcenter_operator_leader'),
      (v) => v === 1,
      60_000,
    )
    const takenOverMs = Date.now() - frozenAt

    const killedAt = Date.now()
    await scenario.sites.sites.shanghai.kill()
    const done = await eventually(
      'replica-b fails shanghai over, every agent moved',
      () => scenario.site('shanghai'),
      (s) => (s.status?.lastFailover?.agentsMoved ?? 0) >= scenario.fleet.homes.shanghai,
      60_000,
    )
    assert.equal(done.status?.lastFailover?.agentsLost, 0)
    await everyAgentAt(scenario.fleet, AGENTS, 'nantong')
    const failedAfterFlip = await callsCompleteAt(scenario.sites, 'nantong', 'shanghai')
    await delay(Math.max(0, frozenAt + FROZEN_MS - Date.now()))

    // Resume it, and read its own count of API writes until it exits.
    const resumedAt = Date.now()
    signalAll(frozen, 'SIGCONT')
    releaseThaw()
    frozen = []
    let writesAfter = writesBefore
    let readsAfterResume = 0
    const exit = await Promise.race([
      leader.exited,
      (async () => {
        for (;;) {
          try {
            writesAfter = Math.max(writesAfter, await leader.apiWrites())
            readsAfterResume++
          } catch {
            // gone
          }
          await delay(50)
          if (leader.child.exitCode !== null) return leader.child.exitCode
        }
      })(),
      delay(30_000).then(() => 'still running' as const),
    ])
    assert.notEqual(exit, 'still running', 'the resumed replica stepped down')
    assert.equal(writesAfter, writesBefore, `no API write from the resumed replica (${readsAfterResume} readings of its /metrics)`)
    const log = readFileSync(leader.logPath, 'utf8')
    assert.match(log, /leadership lost/, 'it says why it stopped')
    const stale = (await events()).filter(
      (e) => e.reportingInstance === leader.name && Date.parse(e.eventTime ?? e.metadata?.creationTimestamp ?? '') >= frozenAt,
    )
    assert.deepEqual(stale, [], 'no Event from the frozen replica since it was frozen')
    assert.equal((await other.metric('callcenter_operator_leader')) === 1, true, 'replica-b still leads')

    const samples = sampler.samples()
    const unreadable = sampler.unreadable()
    const doubles = await sampler.stop()
    sampler = undefined
    assert.ok(samples + unreadable >= 10, `sessions sampled throughout: ${samples} + ${unreadable} unreadable`)
    assert.equal(doubles.length, 0, `no agent signed in at two sites: ${JSON.stringify(doubles.slice(0, 5))}`)
    await everyAgentAt(scenario.fleet, AGENTS, 'nantong')
    printFigures(
      faultFigures(
        'operator leader frozen past its lease',
        killedAt,
        done.status.lastFailover,
        scenario.fleet.relogins('shanghai', 'nantong', killedAt),
        failedAfterFlip,
        {
          agents: AGENTS,
          leaseTakenOverAfterFreezeMs: takenOverMs,
          frozenMs: resumedAt - frozenAt,
          resumedReplicaExit: exit,
          resumedReplicaWrites: writesAfter - writesBefore,
          doubleSignIns: doubles.length,
        },
      ),
    )
  })
})
