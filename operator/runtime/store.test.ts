import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { KubeObject } from './resource.ts'
import { Store } from './store.ts'

type Seat = KubeObject & { spec: { homeSite: string } }
const seat = (name: string, uid: string, homeSite: string, resourceVersion = '1'): Seat => ({
  apiVersion: 'callcenter.dev/v1alpha1',
  kind: 'AgentSeat',
  metadata: { name, namespace: 'cc', uid, resourceVersion },
  spec: { homeSite },
})

describe('Store', () => {
  it('finds objects by key and by index, and moves them between index values on update', () => {
    const store = new Store<Seat>()
    store.addIndex('site', (s) => [s.spec.homeSite])
    store.upsert(seat('a1', 'u1', 'shanghai'))
    store.upsert(seat('a2', 'u2', 'shanghai'))
    assert.equal(store.get('cc/a1')?.metadata.uid, 'u1')
    assert.deepEqual(
      store
        .byIndex('site', 'shanghai')
        .map((s) => s.metadata.name)
        .sort(),
      ['a1', 'a2'],
    )
    store.upsert(seat('a1', 'u1', 'nantong', '2'))
    assert.deepEqual(
      store.byIndex('site', 'shanghai').map((s) => s.metadata.name),
      ['a2'],
    )
    assert.deepEqual(
      store.byIndex('site', 'nantong').map((s) => s.metadata.name),
      ['a1'],
    )
  })

  it('keys by UID: a re-created object with the same name replaces the name mapping, and deleting the old one keeps the new', () => {
    const store = new Store<Seat>()
    store.upsert(seat('a1', 'old', 'shanghai'))
    store.upsert(seat('a1', 'new', 'nantong'))
    assert.equal(store.size, 2)
    store.delete(seat('a1', 'old', 'shanghai'))
    assert.equal(store.get('cc/a1')?.metadata.uid, 'new')
    assert.equal(store.size, 1)
  })

  it('hands out frozen objects, so a caller cannot corrupt the cache', () => {
    const store = new Store<Seat>()
    store.upsert(seat('a1', 'u1', 'shanghai'))
    const cached = store.get('cc/a1')
    assert.ok(cached)
    assert.throws(() => {
      cached.spec.homeSite = 'nantong'
    }, TypeError)
  })

  it('refuses an index added after it was filled', () => {
    const store = new Store<Seat>()
    store.upsert(seat('a1', 'u1', 'shanghai'))
    assert.throws(() => store.addIndex('site', (s) => [s.spec.homeSite]), /must be added before the store is filled/)
  })
})
