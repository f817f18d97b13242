import assert from 'node:assert/strict'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { AgentSeat, Site, Trunk } from '../../../crds/types.ts'
import type { EdgeDestination } from '../../../workloads/edge/index.ts'
import type { EventInput } from '../../runtime/events.ts'
import { silentLogger } from '../../runtime/log.ts'
import { createMetrics } from '../../runtime/metrics.ts'
import { type Cached } from '../kinds.ts'
import { APPROVE_FAILBACK_ANNOTATION, failoverReconciler, type FailoverControllerOptions } from './failover-controller.ts'
import { directoryReports, type FailoverIO, type TakeoverOptions } from './io.ts'
import type { TakeoverView } from './takeover-progress.ts'
import { externalSite } from '../testing/external-site.ts'
import { failoverInformers, probesFailingFor, softswitchDestination, statusIntoStores } from '../testing/fake-failover-io.ts'

const ns = 'cc'

function must<T>(value: T | undefined, what: string): T {
  assert.ok(value !== undefined, `${what} is missing`)
  return value
}

const site = (name: string, heartbeat: NonNullable<Site['spec']['heartbeat']> = {}): Cached<Site> =>
  externalSite(name, ns, { heartbeat: { intervalMilliseconds: 1000, timeoutMilliseconds: 500, ...heartbeat } })

const trunk: Cached<Trunk> = {
  apiVersion: 'callcenter.dev/v1alpha1',
  kind: 'Trunk',
  metadata: { name: 'carrier', namespace: ns, uid: 'uid-trunk', generation: 1 },
  spec: {
    sites: [
      { site: 'a', gateway: { host: 'gw-a' }, weight: 60 },
      { site: 'b', gateway: { host: 'gw-b' }, weight: 40 },
    ],
  },
} as unknown as Cached<Trunk>

const seat = (agentId: string): Cached<AgentSeat> =>
  ({
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'AgentSeat',
    metadata: { name: agentId, namespace: ns, uid: `uid-${agentId}` },
    spec: { agentId, homeSite: 'a', account: agentId, skills: [] },
  }) as unknown as Cached<AgentSeat>

/** A small world: two sites, one trunk, two agents homed at a; the API server is the informer stores. */
function world(heartbeat: NonNullable<Site['spec']['heartbeat']> = {}) {
  const informers = failoverInformers()
  informers.sites.store.upsert(site('a', heartbeat))
  informers.sites.store.upsert(site('b', heartbeat))
  informers.trunks.store.upsert(trunk)
  informers.agentSeats.store.upsert(seat('agent-1'))
  informers.agentSeats.store.upsert(seat('agent-2'))

  const clock = { now: Date.parse('2026-01-01T00:00:00Z') }
  const down = new Set<string>()
  /** What b's edge sees of a's soft switch. */
  const view: { aState: EdgeDestination['state'] } = { aState: 'active' }
  const edgeCalls: string[] = []
  const takeoverStarts: string[] = []
  const takeoverKeys: string[] = []
  const takeoverOptions: (TakeoverOptions | undefined)[] = []
  /** Reports of particular takeovers; the others answer with `relogins`. */
  const reportsById: Record<string, TakeoverView> = {}
  const refuseTakeovers = { count: 0 }
  const relogins: Record<string, number> = {}
  const events: EventInput[] = []
  const io: FailoverIO = {
    now: () => new Date(clock.now),
    probes: probesFailingFor(down),
    edge: (control) => ({
      destinations: () =>
        control.url.startsWith('http://a-')
          ? Promise.reject(new Error('unreachable'))
          : Promise.resolve([softswitchDestination('a', view.aState)]),
      setSiteState: (name, state) => {
        edgeCalls.push(`${control.url} ${name} ${state}`)
        return Promise.resolve([])
      },
    }),
    login: {
      start: (url, failed, key, options) => {
        takeoverKeys.push(key)
        takeoverOptions.push(options)
        if (refuseTakeovers.count > 0) {
          refuseTakeovers.count--
          return Promise.reject(new Error('HTTP 503'))
        }
        takeoverStarts.push(`${url} ${failed}`)
        return Promise.resolve(`t${takeoverStarts.length}`)
      },
      report: (_url, id) => Promise.resolve(reportsById[id] ?? { startedAt: clock.now - 3000, instructed: 2, agents: { ...relogins } }),
      sessions: () => Promise.resolve(42),
    },
    status: statusIntoStores(informers),
  }
  const options = (extra: Partial<FailoverControllerOptions> = {}): FailoverControllerOptions => ({
    informers,
    io,
    events: { record: (_object, event) => Promise.resolve(void events.push(event)) },
    log: silentLogger,
    metrics: createMetrics(),
    clusterDomain: 'cluster.local',
    ...extra,
  })
  const killA = () => ['a-edge1', 'a-fs1', 'http://a-login', 'http://a-acd'].forEach((t) => down.add(t))
  const at = (ms: number) => (clock.now = Date.parse('2026-01-01T00:00:00Z') + ms)
  const siteA = () => must(informers.sites.store.get(`${ns}/a`), 'site a')
  const trunkStatus = () => must(informers.trunks.store.get(`${ns}/carrier`), 'trunk').status
  return {
    informers,
    io,
    clock,
    down,
    view,
    edgeCalls,
    takeoverStarts,
    takeoverKeys,
    takeoverOptions,
    reportsById,
    refuseTakeovers,
    relogins,
    events,
    options,
    killA,
    at,
    siteA,
    trunkStatus,
  }
}

test('a site whose probes fail is confirmed by the surviving edge and flipped, and its timeline written', async () => {
  const w = world()
  const reports = await mkdtemp(join(tmpdir(), 'failover-'))
  const metrics = createMetrics()
  const reconcile = failoverReconciler(w.options({ io: { ...w.io, reports: directoryReports(reports) }, metrics }))
  await reconcile(`${ns}/a`)
  assert.equal(w.siteA().status?.health, 'Healthy')
  assert.deepEqual(w.siteA().status?.agents, { hosted: 42 }, "the login service's count of sessions")

  w.killA()
  w.view.aState = 'inactive'
  w.at(1000)
  await reconcile(`${ns}/a`)
  assert.equal(w.siteA().status?.heartbeat?.consecutiveMisses, 1)
  assert.deepEqual(w.edgeCalls, [])
  w.at(2000)
  await reconcile(`${ns}/a`)

  const status = must(w.siteA().status, 'status')
  assert.equal(status.health, 'Failed')
  assert.deepEqual(status.agents, { hosted: 0 }, 'a failed site hosts nobody, whatever its login service said before')
  assert.equal(status.heartbeat?.failedOver, true)
  assert.deepEqual(status.heartbeat.confirmedBy, [])
  const failover = must(status.heartbeat.failover, 'failover')
  assert.ok(failover.flipped, 'the flip is acknowledged in the record')
  assert.deepEqual(status.heartbeat.takeovers, [{ site: 'b', id: 't1' }])
  assert.equal(status.trafficShare, 0)
  assert.deepEqual(w.edgeCalls, ['http://b-edge1/RPC a inactive'])
  assert.deepEqual(w.takeoverStarts, ['http://b-login a'])
  assert.equal(w.trunkStatus()?.routeSummary, 'a=0 b=100')
  assert.equal(w.trunkStatus()?.routes?.[0]?.state, 'Inactive')
  assert.ok(w.events.some((e) => e.reason === 'Failed'))
  assert.equal(status.lastFailover, undefined, 'agents are still moving')

  w.relogins['agent-1'] = 1200
  w.relogins['agent-2'] = 2500
  w.at(3000)
  await reconcile(`${ns}/a`)
  const timeline = must(w.siteA().status?.lastFailover, 'lastFailover')
  assert.equal(timeline.agentsMoved, 2)
  assert.equal(timeline.agentsLost, 0)
  assert.equal(timeline.report, join(reports, `${failover.id}.json`))
  assert.ok((await readFile(must(timeline.report, 'report'), 'utf8')).includes('"agent-2"'))
  assert.ok((await readFile(must(timeline.report, 'report').replace(/json$/, 'svg'), 'utf8')).startsWith('<svg'))
  assert.ok(w.events.some((e) => e.reason === 'FailoverCompleted'))
  assert.equal(w.edgeCalls.length, 1, 'nothing is flipped twice')
  assert.equal(w.takeoverStarts.length, 1)
  const scraped = await metrics.registry.metrics()
  assert.match(scraped, /callcenter_operator_site_health\{site="a",state="Failed"\} 1/)
  assert.match(scraped, /callcenter_operator_site_health\{site="a",state="Healthy"\} 0/)
  assert.match(scraped, /callcenter_operator_failovers_total\{site="a"\} 1/)
  assert.match(scraped, /callcenter_operator_failover_phase_seconds_count\{phase="flipped"\} 1/)
})

test('a takeover whose start failed at the flip is asked for again while following, with the failover id as its key', async () => {
  const w = world()
  const reconcile = failoverReconciler(w.options())
  await reconcile(`${ns}/a`)
  w.killA()
  w.view.aState = 'inactive'
  w.refuseTakeovers.count = 1
  w.at(1000)
  await reconcile(`${ns}/a`)
  w.at(2000)
  await reconcile(`${ns}/a`)
  const failover = must(w.siteA().status?.heartbeat?.failover, 'failover')
  assert.ok(failover.flipped, 'the edges flipped although the takeover could not start')
  assert.ok(w.events.some((e) => e.reason === 'FlipIncomplete'))
  assert.deepEqual(w.siteA().status?.heartbeat?.takeovers, [{ site: 'b', id: 't1' }])
  assert.equal(w.takeoverStarts.length, 1)
  assert.deepEqual(w.takeoverKeys, [failover.id, failover.id], 'the same key both times: the login service starts one takeover')
})

test('jitter does not flip: missed probes without a confirming edge clear when the probe answers', async () => {
  const w = world()
  const reconcile = failoverReconciler(w.options())
  await reconcile(`${ns}/a`)
  w.killA()
  for (const ms of [1000, 2000, 3000, 4000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  assert.equal(w.siteA().status?.health, 'Confirming')
  w.down.clear()
  w.at(5000)
  await reconcile(`${ns}/a`)
  assert.equal(w.siteA().status?.health, 'Healthy')
  assert.deepEqual(w.edgeCalls, [])
  assert.deepEqual(w.takeoverStarts, [])
  assert.equal(w.trunkStatus(), undefined, 'no route changed')
})

test('a restarted operator finishes a failover whose flip the record does not acknowledge', async () => {
  const w = world()
  const persisted = {
    state: 'Failed' as const,
    since: '2026-01-01T00:00:01Z',
    consecutiveMisses: 0,
    consecutiveSuccesses: 0,
    confirmedBy: [],
    failedOver: true,
    failover: { id: 'a-1', fault: '2026-01-01T00:00:00Z', suspect: '2026-01-01T00:00:01Z', confirmed: '2026-01-01T00:00:01Z' },
    takeovers: [{ site: 'b', id: 'started-before-the-restart' }],
  }
  w.informers.sites.store.upsert({ ...w.siteA(), status: { health: 'Failed', heartbeat: persisted } })
  w.killA()
  w.at(2500)
  await failoverReconciler(w.options())(`${ns}/a`)
  const heartbeat = w.siteA().status?.heartbeat
  assert.equal(heartbeat?.failover?.flipped, '2026-01-01T00:00:02.500Z')
  assert.deepEqual(w.edgeCalls, ['http://b-edge1/RPC a inactive'])
  assert.deepEqual(w.takeoverStarts, [], 'the takeover already started is followed, not started again')
  assert.deepEqual(heartbeat.takeovers, [{ site: 'b', id: 'started-before-the-restart' }])
  assert.equal(w.trunkStatus()?.routeSummary, 'a=0 b=100')
})

test('Manual failback keeps a recovered site out until a person approves, then restores it', async () => {
  const w = world({ minimumDwellSeconds: 0, recoveryThreshold: 2 })
  const reconcile = failoverReconciler(w.options())
  await reconcile(`${ns}/a`)
  w.killA()
  w.view.aState = 'inactive'
  for (const ms of [1000, 2000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  assert.equal(w.siteA().status?.health, 'Failed')
  w.down.clear()
  for (const ms of [3000, 4000, 5000, 6000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  assert.equal(w.siteA().status?.health, 'Healthy')
  assert.equal(w.siteA().status?.heartbeat?.failedOver, true)
  assert.ok(w.events.some((e) => e.reason === 'ManualFailbackNeeded'))
  assert.deepEqual(w.edgeCalls, ['http://b-edge1/RPC a inactive'])
  assert.equal(w.trunkStatus()?.routeSummary, 'a=0 b=100')

  const id = must(w.siteA().status?.heartbeat?.failover, 'failover').id
  const a = w.siteA()
  w.informers.sites.store.upsert({ ...a, metadata: { ...a.metadata, annotations: { [APPROVE_FAILBACK_ANNOTATION]: id } } })
  w.at(6100)
  await reconcile(`${ns}/a`)
  assert.deepEqual(w.edgeCalls, ['http://b-edge1/RPC a inactive', 'http://b-edge1/RPC a active'])
  assert.equal(w.siteA().status?.heartbeat?.failedOver, false)
  assert.equal(w.trunkStatus()?.routeSummary, 'a=60 b=40')
  assert.ok(w.events.some((e) => e.reason === 'FailedBack'))
})

test('failback: after the restore the recovered site takes its homed agents back in drain mode, followed across a restart to its summary', async () => {
  const w = world({ minimumDwellSeconds: 0, recoveryThreshold: 2 })
  let reconcile = failoverReconciler(w.options())
  await reconcile(`${ns}/a`)
  w.killA()
  w.view.aState = 'inactive'
  w.relogins['agent-1'] = 1200
  w.relogins['agent-2'] = 2500
  for (const ms of [1000, 2000, 3000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  assert.equal(w.siteA().status?.lastFailover?.agentsMoved, 2, 'the failover moved both agents to b')
  w.down.clear()
  for (const ms of [4000, 5000, 6000, 7000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  assert.equal(w.siteA().status?.health, 'Healthy')
  assert.equal(w.siteA().status?.lastFailback, undefined, 'Manual: nobody moves home before a person approves')
  assert.deepEqual(w.takeoverStarts, ['http://b-login a'])

  const id = must(w.siteA().status?.heartbeat?.failover, 'failover').id
  const a = w.siteA()
  w.informers.sites.store.upsert({ ...a, metadata: { ...a.metadata, annotations: { [APPROVE_FAILBACK_ANNOTATION]: id } } })
  w.reportsById.t2 = { startedAt: w.clock.now, instructed: 0, agents: {}, pendingAgents: [] }
  w.at(7100)
  await reconcile(`${ns}/a`)
  assert.deepEqual(w.edgeCalls.at(-1), 'http://b-edge1/RPC a active', 'the edges first')
  assert.deepEqual(w.takeoverStarts, ['http://b-login a', 'http://a-login b'], "then a's login service takes its agents back from b")
  assert.equal(w.takeoverKeys.at(-1), `failback-${id}-b`)
  assert.deepEqual(w.takeoverOptions.at(-1), { mode: 'drain', homeSite: 'a', keepInstructingSeconds: 90 })
  const moving = must(w.siteA().status?.lastFailback, 'lastFailback')
  assert.equal(moving.id, id)
  assert.equal(moving.state, 'Moving')
  assert.equal(moving.started, '2026-01-01T00:00:07.100Z')
  assert.deepEqual(moving.takeovers, [{ site: 'b', at: 'a', id: 't2' }])
  assert.ok(w.events.some((e) => e.reason === 'FailbackStarted'))

  // agent-1 is home; agent-2 was told but is on a call.
  w.reportsById.t2 = { startedAt: w.clock.now, instructed: 2, agents: { 'agent-1': 800 }, pendingAgents: ['agent-2'] }
  w.at(8000)
  await reconcile(`${ns}/a`)
  assert.equal(w.siteA().status?.lastFailback?.state, 'Moving')
  assert.equal(w.siteA().status?.lastFailback?.agentsMoved, 1)
  assert.equal(w.siteA().status?.lastFailback?.agentsInstructed, 2)

  // A new leader follows the failback from status: nothing is started again.
  reconcile = failoverReconciler(w.options())
  w.reportsById.t2 = { startedAt: w.clock.now, instructed: 2, agents: { 'agent-1': 800, 'agent-2': 30_000 } }
  w.at(9000)
  await reconcile(`${ns}/a`)
  assert.deepEqual(w.takeoverStarts, ['http://b-login a', 'http://a-login b'])
  const done = must(w.siteA().status?.lastFailback, 'lastFailback')
  assert.equal(done.state, 'Completed')
  assert.equal(done.agentsMoved, 2)
  assert.equal(done.agentsStayed, 0)
  assert.deepEqual(done.reloginMilliseconds, { p50: 800, p95: 30_000, p99: 30_000, max: 30_000 })
  const completed = w.events.filter((e) => e.reason === 'FailbackCompleted')
  assert.equal(completed.length, 1)
  assert.match(completed[0]?.note ?? '', /2 agents moved home, home p99 30000 ms/)
  w.at(10_000)
  await reconcile(`${ns}/a`)
  assert.equal(w.events.filter((e) => e.reason === 'FailbackCompleted').length, 1, 'a summary is written once')
})

test('failback whose login service does not answer: named in status, started at the next round', async () => {
  const w = world({ minimumDwellSeconds: 0, recoveryThreshold: 1, failback: 'Automatic' })
  const reconcile = failoverReconciler(w.options({ failbackDeadlineMs: 60_000 }))
  await reconcile(`${ns}/a`)
  w.killA()
  w.view.aState = 'inactive'
  w.relogins['agent-1'] = 1200
  w.relogins['agent-2'] = 2500
  for (const ms of [1000, 2000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  w.down.clear()
  w.refuseTakeovers.count = 1
  for (const ms of [3000, 4000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  assert.equal(w.siteA().status?.heartbeat?.failedOver, false, 'Automatic: restored once Healthy')
  const waiting = must(w.siteA().status?.lastFailback, 'lastFailback')
  assert.equal(waiting.state, 'Moving')
  assert.match(waiting.message ?? '', /login a: failback from b not started: HTTP 503/)
  assert.equal(waiting.takeovers, undefined)
  // Nobody comes home: agent-2 is on a call until the deadline, which writes the summary with it as stayed.
  w.reportsById.t2 = { startedAt: w.clock.now, instructed: 1, agents: {}, pendingAgents: ['agent-2'] }
  w.at(5000)
  await reconcile(`${ns}/a`)
  const started = must(w.siteA().status?.lastFailback, 'lastFailback')
  assert.deepEqual(started.takeovers, [{ site: 'b', at: 'a', id: 't2' }])
  assert.equal(started.message, undefined)
  assert.equal(started.state, 'Moving', 'agent-2 is on a call')
  w.at(4000 + 60_000)
  await reconcile(`${ns}/a`)
  const done = must(w.siteA().status?.lastFailback, 'lastFailback')
  assert.equal(done.state, 'Completed')
  assert.equal(done.agentsStayed, 1)
  assert.equal(w.events.find((e) => e.reason === 'FailbackCompleted')?.type, 'Warning')
})

test('a site that has never answered is not judged: it is being set up, not failed', async () => {
  const w = world()
  const reconcile = failoverReconciler(w.options())
  w.killA()
  w.view.aState = 'inactive'
  for (const ms of [0, 1000, 2000, 3000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  assert.equal(w.siteA().status?.health, 'Unknown')
  assert.equal(w.siteA().status?.heartbeat, undefined)
  assert.deepEqual(w.edgeCalls, [])
  assert.deepEqual(w.events, [])
  w.down.clear()
  w.at(4000)
  await reconcile(`${ns}/a`)
  assert.equal(w.siteA().status?.health, 'Healthy')
  assert.equal(w.siteA().status?.healthSince, '2026-01-01T00:00:04.000Z')
})
