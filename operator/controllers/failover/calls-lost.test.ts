// The failover controller counts the calls in progress through every edge once per probe round and reports, in
// the failed site's timeline, the calls in progress to it at the last reading before the fault.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AgentSeat } from '../../../crds/types.ts'
import { silentLogger } from '../../runtime/log.ts'
import { createMetrics } from '../../runtime/metrics.ts'
import { type Cached } from '../kinds.ts'
import { externalSite } from '../testing/external-site.ts'
import { failoverInformers, probesFailingFor, softswitchDestination, statusIntoStores } from '../testing/fake-failover-io.ts'
import { drillTimeline } from './drill-marks.ts'
import { failoverReconciler } from './failover-controller.ts'
import type { FailoverIO } from './io.ts'

const ns = 'cc'
const start = Date.parse('2026-01-01T00:00:00Z')

function world(options: { countCalls: boolean }) {
  const informers = failoverInformers()
  for (const name of ['a', 'b'])
    informers.sites.store.upsert(externalSite(name, ns, { heartbeat: { intervalMilliseconds: 1000, timeoutMilliseconds: 500 } }))
  informers.agentSeats.store.upsert({
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'AgentSeat',
    metadata: { name: 'agent-1', namespace: ns, uid: 'uid-agent-1' },
    spec: { agentId: 'agent-1', homeSite: 'a', account: 'agent-1', skills: [] },
  } as unknown as Cached<AgentSeat>)

  const clock = { now: start }
  const down = new Set<string>()
  /** What each edge's Kamailio counts, by its JSON-RPC URL and destination site. */
  const calls: Record<string, Record<string, number>> = { 'http://a-edge1/RPC': { a: 3, b: 1 }, 'http://b-edge1/RPC': { a: 2, b: 4 } }
  const reads: string[] = []
  const relogins: Record<string, number> = { 'agent-1': 1500 }
  const io: FailoverIO = {
    now: () => new Date(clock.now),
    probes: probesFailingFor(down),
    edge: () => ({
      destinations: () => Promise.resolve([softswitchDestination('a', down.size > 0 ? 'inactive' : 'active')]),
      setSiteState: () => Promise.resolve([]),
    }),
    login: {
      start: () => Promise.resolve('t1'),
      report: () => Promise.resolve({ startedAt: clock.now, instructed: 1, agents: { ...relogins } }),
      sessions: () => Promise.resolve(1),
    },
    status: statusIntoStores(informers),
    ...(options.countCalls
      ? {
          edgeCalls: (control) => ({
            callsTo: (site) => {
              reads.push(`${control.url} ${site}`)
              if (down.has(control.url)) return Promise.reject(new Error('unreachable'))
              return Promise.resolve(calls[control.url]?.[site] ?? 0)
            },
          }),
        }
      : {}),
  }
  const reconciler = () =>
    failoverReconciler({
      informers,
      io,
      events: { record: () => Promise.resolve() },
      log: silentLogger,
      metrics: createMetrics(),
      clusterDomain: 'cluster.local',
    })
  const site = (name: string) => {
    const found = informers.sites.store.get(`${ns}/${name}`)
    assert.ok(found, `site ${name}`)
    return found
  }
  const killA = () => ['a-edge1', 'a-fs1', 'http://a-login', 'http://a-acd', 'http://a-edge1/RPC'].forEach((t) => down.add(t))
  const at = (ms: number) => (clock.now = start + ms)
  return { calls, reads, relogins, reconciler, site, killA, at }
}

describe('calls lost in a failover, counted at the edges', () => {
  it('are the calls every edge had in progress to the failed site at its last reading before the fault', async () => {
    const w = world({ countCalls: true })
    const reconcile = w.reconciler()
    const round = async (ms: number) => {
      w.at(ms)
      await reconcile(`${ns}/a`)
      await reconcile(`${ns}/b`)
    }
    await round(0)
    await round(1000)
    assert.ok(w.reads.includes('http://b-edge1/RPC a'), "b's edge was read for its calls to a")
    assert.deepEqual(
      w.site('a').status?.callsInProgress?.map((c) => [c.edge, c.site, c.calls]),
      [
        ['edge1', 'a', 3],
        ['edge1', 'b', 1],
      ],
    )
    w.calls['http://b-edge1/RPC'] = { a: 5, b: 4 }
    await round(2000)
    w.killA()
    // After the fault the callers hang up: b's edge drains, which is not what was lost.
    w.calls['http://b-edge1/RPC'] = { a: 0, b: 4 }
    await round(3000)
    await round(4000)
    await round(5000)
    const status = w.site('a').status
    assert.equal(status?.health, 'Failed')
    assert.equal(status.lastFailover?.callsLost, 8, "a's own edge 3 + b's edge 5")
    assert.equal(
      w.site('b').status?.callsInProgress?.find((c) => c.site === 'a')?.calls,
      5,
      'the count to a failed-over site is not updated while it drains',
    )
  })

  it('survive an operator restart in Site status', async () => {
    const w = world({ countCalls: true })
    delete w.relogins['agent-1']
    const first = w.reconciler()
    for (const ms of [0, 1000]) {
      w.at(ms)
      await first(`${ns}/a`)
      await first(`${ns}/b`)
    }
    w.killA()
    for (const ms of [2000, 3000]) {
      w.at(ms)
      await first(`${ns}/a`)
    }
    assert.equal(w.site('a').status?.health, 'Failed')
    assert.equal(w.site('a').status?.lastFailover, undefined, 'not finished before the restart')
    const restarted = w.reconciler()
    w.relogins['agent-1'] = 1500
    w.at(4000)
    await restarted(`${ns}/a`)
    assert.equal(w.site('a').status?.lastFailover?.callsLost, 5)
  })

  it('are not claimed when no edge was ever read', async () => {
    const w = world({ countCalls: false })
    const reconcile = w.reconciler()
    for (const ms of [0, 1000]) {
      w.at(ms)
      await reconcile(`${ns}/a`)
    }
    w.killA()
    for (const ms of [2000, 3000, 4000]) {
      w.at(ms)
      await reconcile(`${ns}/a`)
    }
    const timeline = w.site('a').status?.lastFailover
    assert.equal(timeline?.agentsMoved, 1)
    assert.equal(timeline.callsLost, undefined)
    assert.equal(w.site('a').status?.callsInProgress, undefined)
  })

  it("are in a drill's timeline when the drill failed the site over", () => {
    const lastDrill = {
      name: 'd1',
      state: 'Completed' as const,
      timeline: {
        id: 'a-drill-d1',
        reason: 'drill d1',
        fault: new Date(start).toISOString(),
        flipped: new Date(start + 3000).toISOString(),
      },
    }
    const { summary, report } = drillTimeline(lastDrill, [], 6)
    assert.equal(summary.callsLost, 6)
    assert.equal(report.summary.callsLost, 6)
    assert.equal(drillTimeline(lastDrill, []).summary.callsLost, undefined, 'not measured, so not claimed')
  })
})
