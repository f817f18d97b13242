// A whole site frozen instead of killed: every process of shanghai (Redis, login, ACD, Kamailio edge and
// its workers, the soft switch) gets SIGSTOP, so its sockets stay open and every peer sees timeouts, not
// refused connections. The operator must still detect it, flip the edges to nantong and move the agents;
// when shanghai is thawed (SIGCONT) with the heartbeats and requests its sockets queued meanwhile, it must
// not take any agent back: no agent is ever signed in at two sites, and every agent stays at nantong.
// Two sites of real processes in External mode, a real control plane, the operator as a process.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { bothSitesHealthy } from '../operator/cluster-state.ts'
import { eventually } from '../operator/operator-process.ts'
import { loginKeys } from '../../workloads/login/keys.ts'
import { startSiteDownScenario, type SiteDownScenario } from '../failover/scenario.ts'
import { callsCompleteAt, everyAgentAt } from './checks.ts'
import { faultFigures, printFigures } from './figures.ts'
import { processState, signalAll, thawOnExit } from './freeze.ts'
import { sampleSignIns, type SignInSampler } from './sessions.ts'
import { siteProcesses } from './site-processes.ts'

const AGENTS = 40
/** How long shanghai stays thawed under watch before the suite ends. */
const WATCH_AFTER_THAW_MS = 20_000

describe('a whole site frozen (SIGSTOP), then thawed: detected by timeouts, flipped, and no agent taken back (SIPp stands in for FreeSWITCH)', () => {
  let scenario: SiteDownScenario
  let frozen: number[] = []
  let releaseThaw: () => unknown = () => undefined
  let sampler: SignInSampler | undefined
  const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-faults-frozen-'))

  before(async () => {
    scenario = await startSiteDownScenario({ agents: AGENTS, reportDir, operatorName: 'faults-frozen' })
  })
  after(async () => {
    signalAll(frozen, 'SIGCONT')
    releaseThaw()
    await sampler?.stop()
    await scenario.stop()
    rmSync(reportDir, { recursive: true, force: true })
  })

  const site = (name: string) => scenario.site(name)
  let frozenAt = 0
  let failedAfterFlip = 0

  it('sees both sites healthy first', () => bothSitesHealthy(site))

  it('freezes every process of shanghai; the operator detects it by timeouts, flips and moves every agent to nantong', async () => {
    const { byComponent, all } = siteProcesses(scenario.sites.sites.shanghai)
    for (const [component, pids] of Object.entries(byComponent))
      assert.ok(pids.length > 0, `found the processes of shanghai's ${component}`)
    assert.ok(byComponent['edge'] && byComponent['edge'].length > 1, "Kamailio's forked workers are among them")
    sampler = sampleSignIns(scenario.sites)
    frozenAt = Date.now()
    frozen = signalAll(all, 'SIGSTOP')
    releaseThaw = thawOnExit(() => void signalAll(frozen, 'SIGCONT'))
    // A signal is delivered when the process next runs: wait until each one shows it stopped.
    await eventually(
      'every process of shanghai stopped, none gone',
      () => Promise.resolve(frozen.map(processState)),
      (states) => states.every((state) => state === 'T'),
      10_000,
    )

    const done = await eventually(
      'the failover recorded with every shanghai agent moved',
      () => site('shanghai'),
      (s) => (s.status?.lastFailover?.agentsMoved ?? 0) >= scenario.fleet.homes.shanghai,
      90_000,
    )
    assert.equal(done.status?.lastFailover?.agentsLost, 0)
    assert.equal(done.status.health, 'Failed')
    await everyAgentAt(scenario.fleet, AGENTS, 'nantong')
    failedAfterFlip = await callsCompleteAt(scenario.sites, 'nantong', 'shanghai')
    assert.deepEqual(
      frozen.map(processState),
      frozen.map(() => 'T'),
      'shanghai was frozen throughout, not dead',
    )
  })

  it('thaws shanghai: it takes no agent back, no agent is ever signed in at two sites, and its own sessions end', async () => {
    const thawedAt = Date.now()
    signalAll(frozen, 'SIGCONT')
    releaseThaw()
    frozen = []
    // Watch a while: the thawed login service reads the heartbeats queued in its sockets while frozen.
    const deadline = thawedAt + WATCH_AFTER_THAW_MS
    while (Date.now() < deadline) {
      const census = scenario.fleet.simulator.census()
      assert.equal(census.bySite.nantong, AGENTS, `every agent stays at nantong after the thaw: ${JSON.stringify(census.bySite)}`)
      await delay(250)
    }
    const samples = sampler?.samples() ?? 0
    const unreadable = sampler?.unreadable() ?? 0
    const doubles = (await sampler?.stop()) ?? []
    sampler = undefined
    assert.ok(samples >= 20, `sessions at both sites sampled throughout: ${samples} samples`)
    assert.equal(doubles.length, 0, `no agent signed in at two sites in any sample: ${JSON.stringify(doubles.slice(0, 5))}`)
    const redis = new Redis(scenario.sites.sites.shanghai.redisUrl, { maxRetriesPerRequest: 1 })
    try {
      const live = await redis.zrangebyscore(loginKeys('shanghai').deadlines(), Date.now(), '+inf')
      assert.deepEqual(live, [], 'no live session left at the thawed shanghai')
    } finally {
      redis.disconnect()
    }
    const shanghai = await site('shanghai')
    assert.equal(
      shanghai.status?.heartbeat?.failedOver,
      true,
      'failback stays manual: the thawed site does not take its traffic back by itself',
    )
    const timeline = shanghai.status.lastFailover
    printFigures(
      faultFigures('site frozen (SIGSTOP)', frozenAt, timeline, scenario.fleet.relogins('shanghai', 'nantong', frozenAt), failedAfterFlip, {
        agents: AGENTS,
        doubleSignIns: doubles.length,
        samples,
        samplesWhileFrozen: unreadable,
        healthAfterThaw: shanghai.status.health,
      }),
    )
  })
})
