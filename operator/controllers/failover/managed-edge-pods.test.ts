// The failover controller with a Managed edge of several pods (fakes for the I/O): every pod is probed and
// flipped, and a pod that appears later is brought to the state of the failover at its site's next round.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DestinationState } from '../../../workloads/edge/index.ts'
import { silentLogger } from '../../runtime/log.ts'
import { createMetrics } from '../../runtime/metrics.ts'
import { externalSite } from '../testing/external-site.ts'
import { failoverInformers, probesFailingFor, softswitchDestination, statusIntoStores } from '../testing/fake-failover-io.ts'
import type { EdgePod } from './edge-pods.ts'
import { failoverReconciler } from './failover-controller.ts'
import type { FailoverIO } from './io.ts'

const ns = 'cc'
const heartbeat = { intervalMilliseconds: 1000, timeoutMilliseconds: 500 }

function world() {
  const informers = failoverInformers()
  informers.sites.store.upsert(externalSite('a', ns, { heartbeat }))
  const b = externalSite('b', ns, { heartbeat })
  informers.sites.store.upsert({ ...b, spec: { ...b.spec, components: { ...b.spec.components, edge: { mode: 'Managed' } } } })

  const clock = { now: Date.parse('2026-01-01T00:00:00Z') }
  const down = new Set<string>()
  /** Each pod's view of a's soft switch, by agent URL; a pod not in here is unreachable. */
  const aAt = new Map<string, DestinationState>()
  const pods: EdgePod[] = []
  const changes: string[] = []
  const asked: string[] = []
  const io: FailoverIO = {
    now: () => new Date(clock.now),
    probes: probesFailingFor(down),
    edge: (control) => ({
      destinations: () => {
        const state = aAt.get(control.url)
        return state === undefined ? Promise.reject(new Error('unreachable')) : Promise.resolve([softswitchDestination('a', state)])
      },
      setSiteState: (site, state) => {
        changes.push(`${control.url} ${site} ${state}`)
        aAt.set(control.url, state === 'inactive' ? 'disabled' : 'active')
        return Promise.resolve([])
      },
    }),
    login: {
      start: () => Promise.resolve('t1'),
      report: () => Promise.resolve({ startedAt: clock.now, instructed: 0, agents: {} }),
      sessions: () => Promise.resolve(0),
    },
    status: statusIntoStores(informers),
  }
  const reconcile = failoverReconciler({
    informers,
    io,
    events: { record: () => Promise.resolve() },
    log: silentLogger,
    metrics: createMetrics(),
    clusterDomain: 'cluster.local',
    edgePods: (namespace, service) => {
      asked.push(`${namespace}/${service}`)
      return pods
    },
  })
  const addPod = (name: string, url: string, state: DestinationState) => {
    pods.push({ name, url })
    aAt.set(url, state)
  }
  const at = (ms: number) => (clock.now = Date.parse('2026-01-01T00:00:00Z') + ms)
  const killA = () => ['a-edge1', 'a-fs1', 'http://a-login', 'http://a-acd'].forEach((t) => down.add(t))
  const siteStatus = (name: string) => informers.sites.store.get(`${ns}/${name}`)?.status
  return { reconcile, addPod, aAt, changes, asked, at, killA, siteStatus, pods, down }
}

test('every pod of a Managed edge is flipped, and a pod started after the flip follows at the next round', async () => {
  const w = world()
  w.addPod('b-edge-1', 'http://10.0.0.1:8090', 'active')
  w.addPod('b-edge-2', 'http://10.0.0.2:8090', 'active')
  await w.reconcile(`${ns}/a`)
  await w.reconcile(`${ns}/b`)
  w.at(1000)
  await w.reconcile(`${ns}/b`)
  assert.ok(w.asked.includes(`${ns}/b-edge`), 'the pods are looked up by the edge Service of the site')
  assert.deepEqual(
    w
      .siteStatus('b')
      ?.heartbeat?.probes?.filter((p) => p.name.startsWith('edge/'))
      .map((p) => p.name),
    ['edge/b-edge-1', 'edge/b-edge-2'],
    'each pod is probed at its own agent',
  )
  assert.deepEqual(w.changes, [], 'nothing to correct while every site takes traffic')

  w.killA()
  w.aAt.set('http://10.0.0.1:8090', 'inactive')
  w.aAt.set('http://10.0.0.2:8090', 'inactive')
  w.at(2000)
  await w.reconcile(`${ns}/a`)
  w.at(3000)
  await w.reconcile(`${ns}/a`)
  assert.ok(w.siteStatus('a')?.heartbeat?.failover?.flipped, 'a is failed over')
  assert.deepEqual(w.changes.sort(), ['http://10.0.0.1:8090 a inactive', 'http://10.0.0.2:8090 a inactive'], 'both pods flipped')

  w.addPod('b-edge-3', 'http://10.0.0.3:8090', 'active')
  w.at(4000)
  await w.reconcile(`${ns}/b`)
  assert.equal(w.aAt.get('http://10.0.0.3:8090'), 'disabled', 'the new pod no longer sends to the failed site')
  assert.equal(w.changes.length, 3, 'the pods already flipped are left alone')
})

test('without known pods a Managed edge is reached at its Service', async () => {
  const w = world()
  w.aAt.set('http://b-edge.cc.svc.cluster.local:8090', 'active')
  await w.reconcile(`${ns}/b`)
  w.at(1000)
  await w.reconcile(`${ns}/b`)
  assert.deepEqual(
    w
      .siteStatus('b')
      ?.heartbeat?.probes?.filter((p) => p.name.startsWith('edge/'))
      .map((p) => p.name),
    ['edge/b-edge'],
  )
})

test("a Managed edge's pod is probed at its agent's /readyz: an agent whose Kamailio does not answer is a missed probe", async () => {
  const w = world()
  w.addPod('b-edge-1', 'http://10.0.0.1:8090', 'active')
  w.addPod('b-edge-2', 'http://10.0.0.2:8090', 'active')
  w.down.add('http://10.0.0.2:8090/readyz')
  await w.reconcile(`${ns}/b`)
  w.at(1000)
  await w.reconcile(`${ns}/b`)
  assert.deepEqual(
    w
      .siteStatus('b')
      ?.heartbeat?.probes?.filter((p) => p.name.startsWith('edge/'))
      .map((p) => [p.name, p.reachable]),
    [
      ['edge/b-edge-1', true],
      ['edge/b-edge-2', false],
    ],
  )
})
