import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AgentSeat, Site } from '../../../crds/types.ts'
import { silentLogger } from '../../runtime/log.ts'
import { createMetrics } from '../../runtime/metrics.ts'
import { type Cached } from '../kinds.ts'
import { failoverReconciler } from './failover-controller.ts'
import type { FailoverIO } from './io.ts'
import { actingSurvivors, recordsFailoverOf } from './scope.ts'
import type { SiteTargets } from './targets.ts'
import { externalSite } from '../testing/external-site.ts'
import { failoverInformers, probesFailingFor, softswitchDestination, statusIntoStores } from '../testing/fake-failover-io.ts'

const targets = (site: string): SiteTargets => ({
  site,
  edges: [],
  softswitches: [],
  eslPassword: { namespace: 'cc', secret: { name: `${site}-esl`, key: 'password' } },
  loginUrl: `http://${site}-login`,
  acdUrl: '',
})

test('without --site every survivor acts; with it only the own site, and never for its own failure', () => {
  const survivors = [targets('b'), targets('c')]
  assert.deepEqual(
    actingSurvivors('a', survivors, undefined).map((s) => s.site),
    ['b', 'c'],
  )
  assert.deepEqual(
    actingSurvivors('a', survivors, 'b').map((s) => s.site),
    ['b'],
  )
  assert.deepEqual(actingSurvivors('a', [targets('b'), targets('c')], 'a'), [])
  assert.equal(recordsFailoverOf('a', undefined), true)
  assert.equal(recordsFailoverOf('a', 'b'), true)
  assert.equal(recordsFailoverOf('a', 'a'), false)
})

const ns = 'cc'
const NAMES = ['a', 'b', 'c'] as const

const site = (name: string): Cached<Site> => externalSite(name, ns, { heartbeat: { intervalMilliseconds: 1000, timeoutMilliseconds: 500 } })

/** Three sites, agents homed at a; every surviving edge sees a's soft switch down once a is killed. */
function world() {
  const informers = failoverInformers()
  for (const name of NAMES) informers.sites.store.upsert(site(name))
  informers.agentSeats.store.upsert({
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'AgentSeat',
    metadata: { name: 'agent-1', namespace: ns, uid: 'uid-agent-1' },
    spec: { agentId: 'agent-1', homeSite: 'a', account: 'agent-1', skills: [] },
  } as unknown as Cached<AgentSeat>)
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') }
  const down = new Set<string>()
  const edgeCalls: string[] = []
  const takeoverStarts: string[] = []
  const io: FailoverIO = {
    now: () => new Date(clock.now),
    probes: probesFailingFor(down),
    edge: (control) => ({
      destinations: () => Promise.resolve([softswitchDestination('a', down.has('a-fs1') ? 'inactive' : 'active')]),
      setSiteState: (name, state) => {
        edgeCalls.push(`${control.url} ${name} ${state}`)
        return Promise.resolve([])
      },
    }),
    login: {
      start: (url, failed) => {
        takeoverStarts.push(`${url} ${failed}`)
        return Promise.resolve(`t${takeoverStarts.length}`)
      },
      report: () => Promise.resolve({ startedAt: clock.now - 1000, instructed: 1, agents: { 'agent-1': 800 } }),
      sessions: () => Promise.resolve(0),
    },
    status: statusIntoStores(informers),
  }
  const reconciler = (ownSite: string) =>
    failoverReconciler({
      informers,
      io,
      events: { record: () => Promise.resolve() },
      log: silentLogger,
      metrics: createMetrics(),
      clusterDomain: 'cluster.local',
      reloginDeadlineMs: 5000,
      ownSite,
    })
  const killA = () => ['a-edge1', 'a-fs1', 'http://a-login', 'http://a-acd'].forEach((t) => down.add(t))
  const at = (ms: number) => (clock.now = Date.parse('2026-01-01T00:00:00Z') + ms)
  const siteA = () => informers.sites.store.get(`${ns}/a`)?.status
  return { edgeCalls, takeoverStarts, reconciler, killA, at, siteA }
}

test('with --site b, a failure of a flips only b’s edge, takes the agents over only at b and records the failover', async () => {
  const w = world()
  const reconcile = w.reconciler('b')
  await reconcile(`${ns}/a`)
  w.killA()
  for (const ms of [1000, 2000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  assert.equal(w.siteA()?.health, 'Failed')
  assert.deepEqual(w.edgeCalls, ['http://b-edge1/RPC a inactive'], 'c’s edge is c’s operator’s to flip')
  assert.deepEqual(w.takeoverStarts, ['http://b-login a'])
  assert.deepEqual(w.siteA()?.heartbeat?.takeovers, [{ site: 'b', id: 't1' }])
  w.at(3000)
  await reconcile(`${ns}/a`)
  assert.equal(w.siteA()?.lastFailover?.agentsMoved, 1)
})

test('with --site a, its own failure is judged and recorded but acted on nowhere, and no failover timeline is written', async () => {
  const w = world()
  const reconcile = w.reconciler('a')
  await reconcile(`${ns}/a`)
  w.killA()
  for (const ms of [1000, 2000, 3000, 10_000]) {
    w.at(ms)
    await reconcile(`${ns}/a`)
  }
  const status = w.siteA()
  assert.equal(status?.health, 'Failed')
  assert.ok(status.heartbeat?.failover?.flipped, 'the peers flip it; nothing is left for this operator to do')
  assert.deepEqual(w.edgeCalls, [])
  assert.deepEqual(w.takeoverStarts, [])
  assert.equal(status.lastFailover, undefined, 'the survivors’ clusters record it, past the relogin deadline too')
})
