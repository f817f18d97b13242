import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Value } from 'typebox/value'
import { SiteStatus } from '../../../crds/schema/site.ts'
import type { Site } from '../../../crds/types.ts'
import type { DrillComponent, FaultAction, NetworkAction } from '../../../workloads/drill-agent/agent.ts'
import { partitionHealMarginSeconds, type DrillSpec, type LastDrill } from '../../failover/drill.ts'
import type { HeartbeatRecord } from '../../failover/heartbeat-types.ts'
import { silentLogger } from '../../runtime/log.ts'
import type { EventInput } from '../../runtime/events.ts'
import { droppedProbes, drillOutcome, drillRefusal, refusedDrill, withHeartbeatMarks, type NetworkOffer } from './drill-marks.ts'
import { drillRunner, type DrillInputs } from './drills.ts'
import type { SiteHeartbeat } from './heartbeat-status.ts'
import { directoryReports, type FailoverIO } from './io.ts'
import type { SiteTargets } from './targets.ts'

const t0 = Date.parse('2026-03-01T09:00:00.000Z')
const iso = (seconds: number) => new Date(t0 + seconds * 1000).toISOString()

/** Site a with this drill, let start by the hold controller (status.admitted.drill) unless `held`. */
function site(drill?: DrillSpec, withAgent = true, mode: 'Managed' | 'External' = 'External', held = false): Site {
  return {
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'Site',
    metadata: { name: 'a', namespace: 'cc' },
    spec: {
      components: Object.fromEntries(['softswitch', 'edge', 'acd', 'login', 'cti'].map((c) => [c, { mode }])) as Site['spec']['components'],
      redis: { mode: 'Managed' },
      operatorIdPools: [{ name: 'p', from: 1, to: 10 }],
      ...(drill ? { drill } : {}),
      ...(withAgent ? { drillAgent: { url: 'http://a-drill:8095', tokenSecretRef: { name: 'a-drill', key: 'token' } } } : {}),
    },
    status: { admitted: { traffic: 'Active', ...(drill && !held ? { drill: drill.name } : {}), since: iso(-100) } },
  }
}

const healthy = (): HeartbeatRecord => ({
  state: 'Healthy',
  since: iso(-100),
  consecutiveMisses: 0,
  consecutiveSuccesses: 5,
  confirmedBy: [],
  failedOver: false,
})

const survivors: SiteTargets[] = [
  {
    site: 'b',
    edges: [],
    softswitches: [],
    eslPassword: { namespace: 'cc', secret: { name: 'b-esl', key: 'password' } },
    loginUrl: 'http://b-login',
    acdUrl: 'http://b-acd',
  },
]

interface HarnessOptions {
  absent?: DrillComponent[]
  /** A call that fails ("stop edge", "heal network"), until `failing.clear()`. */
  failing?: string
  reportDir?: string
  /** What the drill agent says of its network fault; default offered. */
  network?: 'offered' | 'absent' | 'unreachable'
}

function harness(options: HarnessOptions = {}) {
  const clock = { now: t0 }
  const calls: string[] = []
  const events: EventInput[] = []
  const relogins: Record<string, number> = {}
  const declined: string[] = []
  const failing = new Set(options.failing === undefined ? [] : [options.failing])
  const network = options.network ?? 'offered'
  const io: FailoverIO = {
    now: () => new Date(clock.now),
    probes: null as unknown as FailoverIO['probes'],
    edge: null as unknown as FailoverIO['edge'],
    status: null as unknown as FailoverIO['status'],
    login: {
      start: () => Promise.reject(new Error('not used')),
      report: () => Promise.resolve({ startedAt: t0 + 3000, instructed: 2, agents: { ...relogins }, declinedAgents: [...declined] }),
      sessions: () => Promise.resolve(0),
    },
    drills: {
      fault: (_site: Site, component: DrillComponent, action: FaultAction) => {
        calls.push(`${action} ${component}`)
        if (failing.has(`${action} ${component}`)) return Promise.reject(new Error('connection refused'))
        return Promise.resolve(!(options.absent ?? []).includes(component))
      },
      network: (_site: Site, action: NetworkAction, healAfterSeconds?: number) => {
        calls.push(`${action} network${healAfterSeconds === undefined ? '' : ` ${healAfterSeconds} s`}`)
        if (failing.has(`${action} network`)) return Promise.reject(new Error('connect ETIMEDOUT'))
        return Promise.resolve(network === 'offered')
      },
      offersNetwork: () => {
        calls.push('offers?')
        return network === 'unreachable'
          ? Promise.reject(new Error('connect ECONNREFUSED 10.0.0.9:8095'))
          : Promise.resolve(network === 'offered')
      },
    },
    ...(options.reportDir ? { reports: directoryReports(options.reportDir) } : {}),
  }
  const run = drillRunner({
    io,
    events: { record: (_object, event) => Promise.resolve(void events.push(event)) },
    log: silentLogger,
    reloginDeadlineMs: 60_000,
  })
  const heartbeat: SiteHeartbeat = { record: healthy(), takeovers: [], probes: [] }
  let lastDrill: LastDrill | undefined
  const step = async (s: Site, extra: Partial<DrillInputs> = {}) => {
    const outcome = await run({
      site: s,
      ...(lastDrill ? { lastDrill } : {}),
      heartbeat,
      survivors,
      expectedAgents: ['agent-1', 'agent-2'],
      ...extra,
    })
    lastDrill = withHeartbeatMarks(outcome.lastDrill, heartbeat.record)
    return outcome
  }
  return {
    clock,
    calls,
    events,
    relogins,
    declined,
    failing,
    heartbeat,
    step,
    last: () => lastDrill,
    setLast: (value: LastDrill | undefined) => (lastDrill = value),
    at: (seconds: number) => (clock.now = t0 + seconds * 1000),
  }
}

const siteDown: DrillSpec = { name: 'd1', scenario: 'SiteDown', durationSeconds: 15 }
const heartbeatLoss: DrillSpec = { name: 'h1', scenario: 'HeartbeatLoss', durationSeconds: 10 }

describe('drill support', () => {
  it('refuses stop drills of External components at a site without a drill agent, saying why', () => {
    assert.match(
      drillRefusal(site(undefined, false), siteDown) ?? '',
      /stops softswitch, edge, acd, login, cti, which site a runs External: .* declares no spec.drillAgent; nothing was injected/,
    )
    assert.equal(drillRefusal(site(undefined, false, 'Managed'), siteDown), undefined, 'Managed components are scaled to zero')
    assert.equal(drillRefusal(site(undefined, false), heartbeatLoss), undefined, 'HeartbeatLoss needs no agent')
    assert.equal(drillRefusal(site(), siteDown), undefined)
  })

  describe('refuses a Partition drill unless the drill agent offers the network fault, naming what is missing', () => {
    const table: [string, Site, NetworkOffer | undefined, RegExp | undefined][] = [
      ['offered: runs', site(), { offered: true }, undefined],
      [
        'External site without a drill agent',
        site(undefined, false),
        undefined,
        /^site a declares no spec\.drillAgent: Partition needs its drill agent's network fault \(DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK\)/,
      ],
      [
        'Managed site without a drill agent',
        site(undefined, false, 'Managed'),
        undefined,
        /^site a is Managed and the operator filters no traffic itself: Partition needs a spec\.drillAgent with a network fault \(DRILL_CUT_NETWORK/,
      ],
      [
        'an agent without the network fault',
        site(),
        { offered: false },
        /^site a's drill agent offers no network fault: set DRILL_CUT_NETWORK/,
      ],
      [
        'an agent that does not answer',
        site(),
        { unreachable: 'connect ECONNREFUSED 10.0.0.9:8095' },
        /^could not ask site a's drill agent for its network fault: connect ECONNREFUSED 10\.0\.0\.9:8095; nothing was injected$/,
      ],
      ['an operator without a drill agent client', site(), undefined, /^this operator has no drill agent client to cut the network/],
    ]
    for (const [name, subject, offer, refusal] of table)
      it(name, () => {
        const partition: DrillSpec = { name: 'partition-q3-drill', scenario: 'Partition', durationSeconds: 60 }
        const why = drillRefusal(subject, partition, offer)
        if (refusal === undefined) return assert.equal(why, undefined)
        assert.match(why ?? '', refusal)
        assert.match(why ?? '', /; nothing was injected$/)
        const reason = refusedDrill('a-long-site-name', partition, new Date(t0), why ?? '').timeline.reason
        assert.ok(reason.endsWith('nothing was injected'), `the whole reason fits status (256 characters): ${reason}`)
      })
  })

  describe('says what the drill did', () => {
    const summary = (extra: Partial<LastDrill['timeline']>): LastDrill['timeline'] => ({
      id: 'a-drill-p1',
      reason: 'r',
      fault: iso(0),
      ...extra,
    })
    const table: [string, LastDrill['timeline'], boolean, string][] = [
      [
        'failed over, agents moved',
        summary({ agentsMoved: 2, agentsLost: 0, reloginMilliseconds: { p50: 1, p95: 2, p99: 3, max: 3 } }),
        true,
        'failed over: 2 agents moved, 0 lost, re-login p99 3 ms',
      ],
      [
        'failed over, agents declined (a partition)',
        summary({ agentsMoved: 0, agentsLost: 0, agentsStayed: 2 }),
        true,
        'failed over: 0 agents moved, 0 lost, 2 stayed (their site still served them)',
      ],
      ['suspected only', summary({ suspect: iso(2) }), false, 'suspected but never confirmed down: no failover'],
      ['never suspected', summary({}), false, 'never suspected: no failover'],
    ]
    for (const [name, timeline, failedOver, note] of table) it(name, () => assert.equal(drillOutcome(timeline, failedOver), note))
  })

  it('drops every probe of a round, naming the drill', () => {
    const probes = droppedProbes([{ name: 'login', group: 'login', reachable: true }], 'h1')
    assert.deepEqual(probes, [{ name: 'login', group: 'login', reachable: false, message: 'dropped by drill h1' }])
  })
})

describe('drill runner', () => {
  it('a held SiteDown drill does not start (nothing stopped, no status, no Event) until the hold controller lets it', async () => {
    const h = harness()
    const held = await h.step(site(siteDown, true, 'External', true))
    assert.deepEqual(held, { dropProbes: false })
    assert.deepEqual(h.calls, [])
    assert.deepEqual(h.events, [])
    await h.step(site(siteDown))
    assert.equal(h.last()?.state, 'Running')
    assert.equal(h.last()?.scenario, 'SiteDown')
    assert.deepEqual(h.calls.sort(), ['stop acd', 'stop cti', 'stop edge', 'stop login', 'stop softswitch'])
  })

  it('a running drill is carried on even if its admission is gone from status (it went ahead already)', async () => {
    const h = harness()
    await h.step(site(siteDown))
    h.at(5)
    await h.step(site(siteDown, true, 'External', true))
    assert.equal(h.last()?.state, 'Running', 'not restored early')
    assert.ok(!h.calls.some((c) => c.startsWith('start')))
  })

  it('SiteDown: stops every component once, restores them at the end, waits for the re-logins, writes timeline, report and chart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drill-reports-'))
    try {
      const h = harness({ absent: ['cti'], reportDir: dir })
      const started = await h.step(site(siteDown))
      assert.equal(h.last()?.state, 'Running')
      assert.equal(started.dropProbes, false)
      assert.deepEqual(h.calls.sort(), ['stop acd', 'stop cti', 'stop edge', 'stop login', 'stop softswitch'])
      assert.equal(h.events.at(0)?.reason, 'DrillStarted')
      assert.match(h.events.at(0)?.note ?? '', /not run at this site, so not stopped: cti/)

      h.at(1)
      await h.step(site(siteDown))
      assert.equal(h.calls.length, 5, 'an injected fault is not asked for again every reconcile')

      // The heartbeat machine fails the site over during the drill.
      h.heartbeat.record = {
        ...healthy(),
        state: 'Failed',
        failedOver: true,
        failover: { id: 'a-x', fault: iso(0.5), suspect: iso(1.5), confirmed: iso(2), flipped: iso(2.2) },
      }
      h.heartbeat.takeovers = [{ site: 'b', id: 't1' }]
      h.at(3)
      await h.step(site(siteDown))
      assert.deepEqual(
        { suspect: h.last()?.timeline.suspect, confirmed: h.last()?.timeline.confirmed, flipped: h.last()?.timeline.flipped },
        { suspect: iso(1.5), confirmed: iso(2), flipped: iso(2.2) },
      )

      h.relogins['agent-1'] = 1000
      h.at(15)
      const waiting = await h.step(site(siteDown))
      assert.equal(h.last()?.state, 'Restoring', 'agent-2 has not re-signed-in yet')
      assert.equal(waiting.requeueAfterMs, 1000)
      assert.deepEqual(h.calls.slice(5).sort(), ['start acd', 'start cti', 'start edge', 'start login', 'start softswitch'])

      h.relogins['agent-2'] = 2000
      h.at(16)
      await h.step(site(siteDown))
      const done = h.last()
      assert.equal(done?.state, 'Completed')
      assert.equal(h.calls.length, 10, 'the restore is applied once')
      assert.deepEqual(done.timeline.reloginMilliseconds, { p50: 4000, p95: 5000, p99: 5000, max: 5000 }, 'measured from the drill fault')
      assert.equal(done.timeline.agentsMoved, 2)
      assert.equal(done.timeline.agentsLost, 0)
      assert.equal(done.timeline.restored, iso(15))
      assert.equal(done.timeline.callsLost, undefined, 'calls lost are not measured, so not claimed')
      assert.ok(Value.Check(SiteStatus, { lastDrill: done }), 'fits status.lastDrill')
      assert.equal(done.timeline.report, join(dir, 'a-drill-d1.json'))
      const report = JSON.parse(await readFile(join(dir, 'a-drill-d1.json'), 'utf8')) as { phases: { name: string }[] }
      assert.deepEqual(
        report.phases.map((p) => p.name),
        ['fault', 'suspect', 'confirmed', 'flipped', 'firstRelogin', 'completed', 'restored'],
      )
      assert.match(await readFile(join(dir, 'a-drill-d1.svg'), 'utf8'), /^<svg/)
      assert.deepEqual(
        h.events.map((e) => e.reason),
        ['DrillStarted', 'DrillRestoring', 'DrillCompleted'],
      )
      assert.match(h.events.at(2)?.note ?? '', /failed over: 2 agents moved, 0 lost, re-login p99 5000 ms; report /)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('HeartbeatLoss: asks the prober to drop rounds while it runs, records the suspicion, no failover', async () => {
    const h = harness()
    const first = await h.step(site(heartbeatLoss))
    assert.equal(first.dropProbes, true)
    assert.deepEqual(h.calls, [], 'nothing is stopped')
    h.heartbeat.record = { ...healthy(), state: 'Confirming', faultAt: iso(0.1), suspectAt: iso(1.2), consecutiveMisses: 2 }
    h.at(5)
    assert.equal((await h.step(site(heartbeatLoss))).dropProbes, true)
    assert.equal(h.last()?.timeline.suspect, iso(1.2))
    h.heartbeat.record = healthy()
    h.at(10)
    const end = await h.step(site(heartbeatLoss))
    assert.equal(end.dropProbes, false)
    assert.equal(h.last()?.state, 'Completed')
    assert.equal(h.last()?.timeline.confirmed, undefined)
    assert.equal(h.last()?.timeline.agentsMoved, 0)
    assert.match(h.events.at(-1)?.note ?? '', /suspected but never confirmed down: no failover/)
  })

  it('refuses a Partition drill at once when the drill agent offers no network fault: Failed with the reason, a Warning, nothing cut', async () => {
    const h = harness({ network: 'absent' })
    const partition: DrillSpec = { name: 'p1', scenario: 'Partition', durationSeconds: 30 }
    await h.step(site(partition))
    assert.equal(h.last()?.state, 'Failed')
    assert.match(h.last()?.timeline.reason ?? '', /Partition refused: site a's drill agent offers no network fault/)
    assert.deepEqual(h.calls, ['offers?'])
    assert.deepEqual(
      h.events.map((e) => [e.type, e.reason]),
      [['Warning', 'DrillFailed']],
    )
    h.at(1)
    await h.step(site(partition))
    assert.equal(h.events.length, 1, 'a refused drill is not refused again')
    assert.deepEqual(h.calls, ['offers?'], 'nor asked about again')
  })

  it('refuses a Partition drill when the drill agent cannot be asked, saying why', async () => {
    const h = harness({ network: 'unreachable' })
    await h.step(site({ name: 'p1', scenario: 'Partition', durationSeconds: 30 }))
    assert.equal(h.last()?.state, 'Failed')
    assert.match(h.last()?.timeline.reason ?? '', /could not ask site a's drill agent for its network fault: connect ECONNREFUSED/)
    assert.deepEqual(h.calls, ['offers?'])
  })

  it('Partition: cuts the network once with a deadline, records the failover the operator saw and the agents that stayed, heals at the end', async () => {
    const h = harness()
    const partition: DrillSpec = { name: 'p1', scenario: 'Partition', durationSeconds: 30 }
    const first = await h.step(site(partition))
    assert.equal(h.last()?.state, 'Running')
    assert.equal(first.dropProbes, false, 'the probes run for real: whether they reach the site is up to the network')
    assert.deepEqual(
      h.calls,
      ['offers?', `cut network ${30 + partitionHealMarginSeconds} s`],
      'the agent heals by itself 30 s after the end at the latest',
    )
    assert.equal(h.events.at(0)?.reason, 'DrillStarted')
    h.at(1)
    await h.step(site(partition))
    assert.equal(h.calls.length, 2, 'the cut is not asked for again every reconcile')

    // The operator, cut off from the site too, fails it over; the site's agents decline: their own site still serves them.
    h.heartbeat.record = {
      ...healthy(),
      state: 'Failed',
      failedOver: true,
      failover: { id: 'a-x', fault: iso(0.5), suspect: iso(2), confirmed: iso(4), flipped: iso(4.5) },
    }
    h.heartbeat.takeovers = [{ site: 'b', id: 't1' }]
    h.at(5)
    await h.step(site(partition))
    h.declined.push('agent-1', 'agent-2')

    h.at(30)
    await h.step(site(partition))
    const done = h.last()
    assert.deepEqual(h.calls.slice(2), ['heal network'])
    assert.equal(done?.state, 'Completed')
    const { suspect, confirmed, flipped, agentsMoved, agentsLost, agentsStayed, reloginMilliseconds } = done.timeline
    assert.deepEqual(
      { suspect, confirmed, flipped, agentsMoved, agentsLost, agentsStayed, reloginMilliseconds },
      {
        suspect: iso(2),
        confirmed: iso(4),
        flipped: iso(4.5),
        agentsMoved: 0,
        agentsLost: 0,
        agentsStayed: 2,
        reloginMilliseconds: undefined,
      },
    )
    assert.ok(Value.Check(SiteStatus, { lastDrill: done }), 'fits status.lastDrill')
    assert.match(h.events.at(-1)?.note ?? '', /drill p1: failed over: 0 agents moved, 0 lost, 2 stayed \(their site still served them\)/)
  })

  it('Partition: a heal that fails (the agent unreachable) is retried every reconcile until it works, with one Warning', async () => {
    const h = harness({ failing: 'heal network' })
    const partition: DrillSpec = { name: 'p2', scenario: 'Partition', durationSeconds: 10 }
    await h.step(site(partition))
    h.at(10)
    const stuck = await h.step(site(partition))
    assert.equal(h.last()?.state, 'Restoring')
    assert.equal(stuck.requeueAfterMs, 1000)
    h.at(11)
    await h.step(site(partition))
    assert.equal(h.last()?.state, 'Restoring')
    assert.deepEqual(
      h.events.filter((e) => e.reason === 'DrillRestoreIncomplete').map((e) => e.note),
      ['site a: heal network: connect ETIMEDOUT'],
    )
    h.failing.clear()
    h.at(40)
    await h.step(site(partition))
    assert.equal(h.last()?.state, 'Completed')
    assert.equal(h.last()?.timeline.suspect, undefined, 'the operator never lost the site: nothing to record')
    assert.deepEqual(h.calls, [
      'offers?',
      `cut network ${10 + partitionHealMarginSeconds} s`,
      'heal network',
      'heal network',
      'heal network',
    ])
    assert.match(h.events.at(-1)?.note ?? '', /never suspected: no failover/)
  })

  it('Partition after an operator restart: the fresh runner cuts again with the time left, and heals at the end', async () => {
    const h = harness()
    const partition: DrillSpec = { name: 'p3', scenario: 'Partition', durationSeconds: 60 }
    await h.step(site(partition))
    const fresh = harness()
    fresh.setLast(JSON.parse(JSON.stringify(h.last())) as LastDrill)
    fresh.at(20.5)
    await fresh.step(site(partition))
    assert.deepEqual(
      fresh.calls,
      [`cut network ${40 + partitionHealMarginSeconds} s`],
      'the agent keeps the cut only as long as the drill has left',
    )
    fresh.at(60)
    await fresh.step(site(partition))
    assert.deepEqual(fresh.calls.slice(1), ['heal network'])
    assert.equal(fresh.last()?.state, 'Completed')
  })

  it('heals the network, too, of a drill removed mid-run whose scenario is no longer known; an agent without the fault has nothing to heal', async () => {
    const h = harness({ network: 'absent' })
    await h.step(site(siteDown))
    h.at(2)
    await h.step(site())
    assert.ok(h.calls.includes('heal network'))
    assert.equal(h.last()?.state, 'Completed')
  })

  it('retries a stop the agent did not apply, with one Warning however often it fails', async () => {
    const h = harness({ failing: 'stop edge' })
    await h.step(site(siteDown))
    h.at(1)
    await h.step(site(siteDown))
    assert.equal(h.calls.filter((c) => c === 'stop edge').length, 2)
    assert.equal(h.calls.filter((c) => c === 'stop login').length, 1)
    assert.deepEqual(
      h.events.filter((e) => e.reason === 'DrillInjectIncomplete').map((e) => e.note),
      ['site a: stop edge: connection refused'],
    )
  })

  it('carries on after an operator restart: a new runner restores a drill found Restoring in status', async () => {
    const h = harness()
    await h.step(site(siteDown))
    h.at(15)
    h.heartbeat.record = healthy()
    const restoring: LastDrill = {
      ...(h.last() as LastDrill),
      state: 'Restoring',
      timeline: { ...(h.last() as LastDrill).timeline, restored: iso(15) },
    }
    const fresh = harness()
    fresh.setLast(JSON.parse(JSON.stringify(restoring)) as LastDrill)
    fresh.at(16)
    await fresh.step(site(siteDown))
    assert.deepEqual(fresh.calls.sort(), ['start acd', 'start cti', 'start edge', 'start login', 'start softswitch'])
    assert.equal(fresh.last()?.state, 'Completed')
  })
})
