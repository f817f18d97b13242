// The hold controller against an informer store and fakes of the status writer and the Event recorder:
// the exact status it writes and the Events it records, with the cache behind its own writes, and after a restart.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Site } from '../../../crds/types.ts'
import type { EventInput } from '../../runtime/events.ts'
import { Informer } from '../../runtime/informer.ts'
import type { KubeClient } from '../../runtime/kube-client.ts'
import { silentLogger } from '../../runtime/log.ts'
import { createMetrics } from '../../runtime/metrics.ts'
import { types, type Cached } from '../kinds.ts'
import { externalSite } from '../testing/external-site.ts'
import { holdReconciler } from './controller.ts'
import { ALLOW_BLACKOUT_ANNOTATION } from './effective.ts'

const ns = 'cc'
const t0 = Date.parse('2026-05-01T10:00:00Z')
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z')

function world() {
  const sites = new Informer<Cached<Site>>(null as unknown as KubeClient, types.site, silentLogger)
  const clock = { now: t0 }
  const writes: { site: string; status: Record<string, unknown> }[] = []
  const events: { site: string; event: EventInput }[] = []
  /** While false, writes do not reach the store: the cache is behind. */
  const cache = { follows: true }
  const options = {
    informers: { sites },
    status: {
      applyStatus: (_type: unknown, live: Cached<Site>, status: Record<string, unknown>) => {
        writes.push({ site: live.metadata.name, status })
        const current = sites.store.get(`${ns}/${live.metadata.name}`)
        if (cache.follows && current) {
          const conditions = [...(current.status?.conditions ?? []).filter((c) => c.type !== 'Held'), ...((status.conditions ?? []) as [])]
          sites.store.upsert({ ...current, status: { ...current.status, ...status, conditions } })
        }
        return Promise.resolve(true)
      },
    },
    events: {
      record: (object: { metadata: { name: string } }, event: EventInput) =>
        Promise.resolve(void events.push({ site: object.metadata.name, event })),
    },
    log: silentLogger,
    metrics: createMetrics(),
    now: () => new Date(clock.now),
  }
  const put = (name: string, change: (site: Cached<Site>) => Cached<Site> = (s) => s) => {
    const live = sites.store.get(`${ns}/${name}`) ?? externalSite(name, ns)
    sites.store.upsert(change({ ...live, metadata: { ...live.metadata, generation: (live.metadata.generation ?? 0) + 1 } }))
  }
  const traffic = (value: 'Active' | 'Drain' | 'Fenced') => (s: Cached<Site>) => ({ ...s, spec: { ...s.spec, traffic: value } })
  const get = (name: string) => sites.store.get(`${ns}/${name}`)
  return { sites, options, clock, writes, events, cache, put, traffic, get }
}

describe('the hold controller', () => {
  it('first sight: records what is in effect for every site of the namespace; then writes nothing', async () => {
    const w = world()
    w.put('a')
    w.put('b', w.traffic('Drain'))
    const reconcile = holdReconciler(w.options)
    assert.equal(await reconcile(`${ns}/a`), undefined)
    assert.deepEqual(w.writes, [
      { site: 'a', status: { admitted: { traffic: 'Active', since: at(0) } } },
      { site: 'b', status: { admitted: { traffic: 'Drain', since: at(0) } } },
    ])
    await reconcile(`${ns}/b`)
    await holdReconciler(w.options)(`${ns}/a`)
    assert.equal(w.writes.length, 2, 'a second round and a restarted operator write nothing')
    assert.deepEqual(w.events, [])
  })

  it('both patched Fenced in the same second: a goes, b is held with condition and Event; both orders alike', async () => {
    for (const first of ['a', 'b']) {
      const w = world()
      w.put('a')
      w.put('b')
      const reconcile = holdReconciler(w.options)
      await reconcile(`${ns}/a`)
      w.writes.length = 0
      w.clock.now += 1000
      w.put('a', w.traffic('Fenced'))
      w.put('b', w.traffic('Fenced'))
      await reconcile(`${ns}/${first}`)
      const message =
        'spec.traffic Fenced held: site b is the last site serving (a: Fenced). It goes ahead by itself once another site serves again; ' +
        'set the spec back to withdraw it, or let it go ahead now: kubectl annotate site b callcenter.dev/allow-blackout="<reason>"'
      assert.deepEqual(w.writes, [
        { site: 'a', status: { admitted: { traffic: 'Fenced', since: at(1) } } },
        {
          site: 'b',
          status: {
            admitted: { traffic: 'Active', since: at(0) },
            conditions: [
              { type: 'Held', status: 'True', reason: 'LastServingSite', message, observedGeneration: 3, lastTransitionTime: at(1) },
            ],
          },
        },
      ])
      assert.deepEqual(w.events, [{ site: 'b', event: { type: 'Warning', reason: 'Held', action: 'Hold', note: message } }])
      await reconcile(`${ns}/${first === 'a' ? 'b' : 'a'}`)
      assert.equal(w.writes.length, 2, 'the other key decides the same')
    }
  })

  it('decides from its own writes while the cache is behind, and from status after a restart', async () => {
    const w = world()
    w.put('a')
    w.put('b')
    const reconcile = holdReconciler(w.options)
    await reconcile(`${ns}/a`)
    w.cache.follows = false
    w.put('a', w.traffic('Fenced'))
    await reconcile(`${ns}/a`)
    assert.equal(w.get('a')?.status?.admitted?.traffic, 'Active', 'the cache does not show it yet')
    w.put('b', w.traffic('Fenced'))
    await reconcile(`${ns}/b`)
    assert.equal(w.writes.at(-1)?.site, 'b')
    assert.equal((w.writes.at(-1)?.status.conditions as { status: string }[])[0]?.status, 'True', 'b held: a went already')

    // What the apiserver has (every write applied), read by a new operator: the same decision, nothing written.
    const w2 = world()
    for (const name of ['a', 'b']) {
      const live = w.get(name)
      assert.ok(live)
      const last = w.writes.filter((x) => x.site === name).at(-1)?.status ?? {}
      w2.sites.store.upsert({ ...live, status: { ...live.status, ...last } })
    }
    await holdReconciler(w2.options)(`${ns}/b`)
    assert.deepEqual(w2.writes, [])
    assert.deepEqual(w2.events, [])
  })

  it('releases the held change once the other site serves again, with an Event', async () => {
    const w = world()
    w.put('a', w.traffic('Fenced'))
    w.put('b')
    const reconcile = holdReconciler(w.options)
    await reconcile(`${ns}/a`)
    w.put('b', w.traffic('Drain'))
    await reconcile(`${ns}/b`)
    w.writes.length = 0
    w.events.length = 0
    w.clock.now += 60_000
    w.put('a', w.traffic('Active'))
    await reconcile(`${ns}/a`)
    assert.deepEqual(w.writes, [
      { site: 'a', status: { admitted: { traffic: 'Active', since: at(60) } } },
      {
        site: 'b',
        status: {
          admitted: { traffic: 'Drain', since: at(60) },
          conditions: [
            {
              type: 'Held',
              status: 'False',
              reason: 'Released',
              message: 'spec.traffic Drain went ahead: a serves again',
              observedGeneration: 3,
              lastTransitionTime: at(60),
            },
          ],
        },
      },
    ])
    assert.deepEqual(w.events, [
      { site: 'b', event: { type: 'Normal', reason: 'Released', action: 'Hold', note: 'spec.traffic Drain went ahead: a serves again' } },
    ])
  })

  it('the allow-blackout annotation lets the held change go ahead, recorded in status and a Warning Event', async () => {
    const w = world()
    w.put('a', w.traffic('Fenced'))
    w.put('b', (s) => ({ ...s, spec: { ...s.spec, drill: { name: 'q1', scenario: 'SiteDown', durationSeconds: 60 } } }))
    const reconcile = holdReconciler(w.options)
    await reconcile(`${ns}/a`)
    assert.equal(w.get('b')?.status?.admitted?.drill, undefined, 'held')
    w.events.length = 0
    w.put('b', (s) => ({
      ...s,
      metadata: { ...s.metadata, annotations: { [ALLOW_BLACKOUT_ANNOTATION]: 'CHG-42 drill with the carrier' } },
    }))
    await reconcile(`${ns}/b`)
    assert.deepEqual(w.get('b')?.status?.admitted, {
      traffic: 'Active',
      drill: 'q1',
      since: at(0),
      override: 'CHG-42 drill with the carrier',
    })
    const note =
      'drill q1 (SiteDown) went ahead although no other site serves (a: Fenced): callcenter.dev/allow-blackout="CHG-42 drill with the carrier"'
    assert.deepEqual(w.events, [{ site: 'b', event: { type: 'Warning', reason: 'BlackoutAllowed', action: 'Hold', note } }])
    assert.equal(w.get('b')?.status?.conditions?.find((c) => c.type === 'Held')?.reason, 'Overridden')
  })

  it('a site gone from the cache is forgotten and the others decided again', async () => {
    const w = world()
    w.put('a', w.traffic('Fenced'))
    w.put('b', w.traffic('Fenced'))
    w.put('c')
    const reconcile = holdReconciler(w.options)
    await reconcile(`${ns}/a`)
    assert.equal(w.get('b')?.status?.admitted?.traffic, 'Fenced', 'c still serves')
    w.put('a', w.traffic('Active'))
    const c = w.get('c')
    assert.ok(c)
    w.sites.store.delete(c)
    await reconcile(`${ns}/c`)
    assert.equal(w.get('a')?.status?.admitted?.traffic, 'Active')
  })
})
