// The planned-switchover reconcilers against fakes of the edges, the login services and the status
// writer: what they change, what they record, and that a restarted operator resumes from status.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Site, SkillGroup } from '../../../crds/types.ts'
import type { EdgeDestination } from '../../../workloads/edge/index.ts'
import type { EventInput } from '../../runtime/events.ts'
import { Informer } from '../../runtime/informer.ts'
import type { KubeClient } from '../../runtime/kube-client.ts'
import { silentLogger } from '../../runtime/log.ts'
import { createMetrics } from '../../runtime/metrics.ts'
import { indexes, types, type Cached } from '../kinds.ts'
import type { PlannedIO, PlannedTakeoverRequest } from './io.ts'
import type { PlannedOptions } from './options.ts'
import { pinningReconciler } from './pinning.ts'
import { switchoverReconciler } from './switchover.ts'
import { externalSite } from '../testing/external-site.ts'

const ns = 'cc'
const SITES = ['a', 'b'] as const

const site = (name: string, traffic: Site['spec']['traffic'] = 'Active'): Cached<Site> => externalSite(name, ns, { traffic })

const group = (pinnedSite?: string): Cached<SkillGroup> => ({
  apiVersion: 'callcenter.dev/v1alpha1',
  kind: 'SkillGroup',
  metadata: { name: 'hotel', namespace: ns, uid: 'uid-hotel', generation: 1 },
  spec: { strategy: 'LongestIdle', serviceLevel: { targetPercent: 80, withinSeconds: 20 }, ...(pinnedSite ? { pinnedSite } : {}) },
})

/** Two sites a and b, each edge with one destination per site; the "API server" is the informer stores. */
function world(scope: Pick<PlannedOptions, 'ownSite' | 'edgePods'> = {}) {
  const client = null as unknown as KubeClient
  const informers = {
    sites: new Informer<Cached<Site>>(client, types.site, silentLogger),
    skillGroups: new Informer<Cached<SkillGroup>>(client, types.skillGroup, silentLogger),
  }
  informers.skillGroups.store.addIndex('site', indexes.groupsByReferencedSite)
  for (const name of SITES) informers.sites.store.upsert(site(name))
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') }
  /** edge url -> destination site -> state. */
  const edges = new Map<string, Map<string, EdgeDestination['state']>>(
    SITES.map((name) => [`http://${name}-edge1/RPC`, new Map(SITES.map((s) => [s, 'active' as const]))]),
  )
  const unreachable = new Set<string>()
  const edgeChanges: string[] = []
  const starts: { url: string; request: PlannedTakeoverRequest }[] = []
  const figures = new Map<string, { instructed: number; relogged: number }>()
  const events: EventInput[] = []
  const written: { kind: string; name: string; status: Record<string, unknown> }[] = []
  const io: PlannedIO = {
    now: () => new Date(clock.now),
    edge: (control) => {
      const states = edges.get(control.url)
      const reach = () => (unreachable.has(control.url) || states === undefined ? Promise.reject(new Error('unreachable')) : undefined)
      return {
        destinations: () =>
          reach() ??
          Promise.resolve(
            [...(states ?? [])].map(([s, state]) => ({
              set: 1,
              uri: `sip:${s}-fs1`,
              site: s,
              duid: s,
              state,
              probing: true,
              priority: 0,
              weight: 1,
            })),
          ),
        setSiteState: (name, state) => {
          edgeChanges.push(`${control.url} ${name} ${state}`)
          states?.set(name, state === 'inactive' ? 'disabled' : 'active')
          return Promise.resolve([])
        },
      }
    },
    login: {
      start: (url, request) => {
        starts.push({ url, request })
        const id = `t${starts.length}`
        figures.set(id, { instructed: 0, relogged: 0 })
        return Promise.resolve(id)
      },
      report: (_url, id) => {
        const found = figures.get(id)
        return found ? Promise.resolve(found) : Promise.reject(new Error(`no takeover ${id}`))
      },
    },
    status: {
      applyStatus: (type, live, status) => {
        written.push({ kind: type.kind, name: live.metadata.name, status })
        return Promise.resolve(true)
      },
    },
  }
  const options: PlannedOptions = {
    informers,
    io,
    events: { record: (_object, event) => Promise.resolve(void events.push(event)) },
    log: silentLogger,
    metrics: createMetrics(),
    clusterDomain: 'cluster.local',
    resyncMs: 10_000,
    ...scope,
  }
  /** Applies the last status written for an object to the store, as the API server and the watch would. */
  const persist = () => {
    for (const { kind, name, status } of written) {
      if (kind === 'Site') {
        const live = informers.sites.store.get(`${ns}/${name}`)
        if (live) informers.sites.store.upsert({ ...live, status: { ...live.status, ...status } })
      } else {
        const live = informers.skillGroups.store.get(`${ns}/${name}`)
        if (live) informers.skillGroups.store.upsert({ ...live, status: { ...live.status, ...status } })
      }
    }
  }
  const setSite = (name: string, change: (s: Cached<Site>) => Cached<Site>) => {
    const live = informers.sites.store.get(`${ns}/${name}`)
    assert.ok(live)
    informers.sites.store.upsert(change(live))
  }
  const lastStatus = (name: string) => written.filter((w) => w.name === name).at(-1)?.status
  return { informers, options, clock, edges, unreachable, edgeChanges, starts, figures, events, written, persist, setSite, lastStatus }
}

const stateAt = (w: ReturnType<typeof world>, edgeSite: string, of: string) => w.edges.get(`http://${edgeSite}-edge1/RPC`)?.get(of)

describe('planned switchover of a Site', () => {
  it('Drain: every edge, the own one included, stops sending to the site; the other site takes the agents over with mode drain', async () => {
    const w = world()
    const reconcile = switchoverReconciler(w.options)
    w.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    const result = await reconcile(`${ns}/a`)
    assert.deepEqual(result, { requeueAfterMs: 10_000 }, 'followed while drained')
    assert.equal(stateAt(w, 'a', 'a'), 'disabled')
    assert.equal(stateAt(w, 'b', 'a'), 'disabled')
    assert.equal(stateAt(w, 'b', 'b'), 'active')
    assert.deepEqual(
      w.starts.map((s) => ({ ...s, request: { ...s.request, key: '' } })),
      [{ url: 'http://b-login', request: { failedSite: 'a', mode: 'drain', key: '' } }],
    )
    assert.match(w.starts[0]?.request.key ?? '', /^drain-a-b-\d{4}-\d\d-\d\dT[\d:]+Z$/, 'one key per switchover run')
    assert.deepEqual(w.lastStatus('a'), {
      plannedSwitchover: {
        traffic: 'Drain',
        since: '2026-01-01T00:00:00Z',
        edges: 'Inactive',
        takeovers: [{ site: 'a', at: 'b', id: 't1' }],
        agentsInstructed: 0,
        agentsMoved: 0,
      },
    })
    assert.deepEqual(
      w.events.map((e) => e.reason),
      ['DrainStarted', 'EdgesInactive'],
    )
  })

  it("Drain: every pod of a Managed edge is switched (its EndpointSlices' addresses), not only the one behind its Service", async () => {
    const pods = ['http://10.0.0.7:8080', 'http://10.0.0.8:8080']
    const w = world({
      edgePods: (namespace, service) => (namespace === ns && service === 'b-edge' ? pods.map((url, i) => ({ name: `pod-${i}`, url })) : []),
    })
    w.setSite('b', (s) => ({ ...s, spec: { ...s.spec, components: { ...s.spec.components, edge: { mode: 'Managed' } } } }))
    for (const url of pods) w.edges.set(url, new Map(SITES.map((s) => [s, 'active' as const])))
    w.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    await switchoverReconciler(w.options)(`${ns}/a`)
    for (const url of pods) assert.equal(w.edges.get(url)?.get('a'), 'disabled', url)
    assert.equal(w.edges.get('http://b-edge1/RPC')?.get('a'), 'active', "b's External edge is gone: b's edge is Managed now")
  })

  it('a restarted operator follows the recorded takeover instead of starting another, and turns edges back off when someone turned them on', async () => {
    const w = world()
    w.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    await switchoverReconciler(w.options)(`${ns}/a`)
    w.persist()
    w.figures.set('t1', { instructed: 4, relogged: 3 })
    w.edges.get('http://b-edge1/RPC')?.set('a', 'active') // e.g. a failback elsewhere
    w.edgeChanges.length = 0

    const restarted = switchoverReconciler(w.options)
    await restarted(`${ns}/a`)
    assert.equal(w.starts.length, 1, 'no second takeover')
    assert.deepEqual(w.edgeChanges, ['http://b-edge1/RPC a inactive'], 'only the edge that was turned on again')
    const record = w.lastStatus('a')?.plannedSwitchover as Record<string, unknown>
    assert.equal(record.agentsInstructed, 4)
    assert.equal(record.agentsMoved, 3)
    assert.equal(record.since, '2026-01-01T00:00:00Z')

    w.edgeChanges.length = 0
    const before = w.written.length
    w.clock.now += 1_000
    assert.deepEqual(await restarted(`${ns}/a`), { requeueAfterMs: 9_000 }, 'not due yet: nothing done')
    assert.equal(w.written.length, before)
  })

  it('Fenced after Drain starts fence takeovers', async () => {
    const w = world()
    const reconcile = switchoverReconciler(w.options)
    w.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    await reconcile(`${ns}/a`)
    w.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Fenced' } }))
    await reconcile(`${ns}/a`)
    assert.deepEqual(
      w.starts.map((s) => s.request.mode),
      ['drain', 'fence'],
    )
    assert.equal(w.events.at(-1)?.reason, 'FenceStarted')
  })

  it('back to Active: the edges send calls again, but not while the site is failed over', async () => {
    const w = world()
    const reconcile = switchoverReconciler(w.options)
    w.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    await reconcile(`${ns}/a`)
    w.setSite('a', (s) => ({
      ...s,
      spec: { ...s.spec, traffic: 'Active' },
      status: { heartbeat: { failedOver: true } } as unknown as Site['status'],
    }))
    w.edgeChanges.length = 0
    assert.deepEqual(await reconcile(`${ns}/a`), { requeueAfterMs: 10_000 })
    assert.deepEqual(w.edgeChanges, [])
    assert.equal((w.lastStatus('a')?.plannedSwitchover as Record<string, unknown>).edges, 'KeptInactive')

    w.setSite('a', (s) => ({ ...s, status: { heartbeat: { failedOver: false } } as unknown as Site['status'] }))
    assert.equal(await reconcile(`${ns}/a`), undefined, 'done: nothing more to follow')
    assert.equal(stateAt(w, 'a', 'a'), 'active')
    assert.equal(stateAt(w, 'b', 'a'), 'active')
    assert.equal((w.lastStatus('a')?.plannedSwitchover as Record<string, unknown>).edges, 'Active')
    assert.ok(w.events.some((e) => e.reason === 'TrafficRestored'))
  })

  it('an edge that does not answer leaves the edges Pending, says why, and is tried again', async () => {
    const w = world()
    w.unreachable.add('http://b-edge1/RPC')
    w.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    const reconcile = switchoverReconciler(w.options)
    await reconcile(`${ns}/a`)
    const record = w.lastStatus('a')?.plannedSwitchover as Record<string, unknown>
    assert.equal(record.edges, 'Pending')
    assert.match(String(record.message), /edge b\/edge1: unreachable/)
    assert.ok(w.events.some((e) => e.type === 'Warning' && e.reason === 'SwitchoverIncomplete'))
    w.unreachable.clear()
    w.clock.now += 10_000
    await reconcile(`${ns}/a`)
    const after = w.lastStatus('a')?.plannedSwitchover as Record<string, unknown>
    assert.equal(after.edges, 'Inactive')
    assert.equal(after.message, undefined)
  })

  it("with --site, changes only the own site's edge and starts takeovers only at the own login service", async () => {
    const atB = world({ ownSite: 'b' })
    atB.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    await switchoverReconciler(atB.options)(`${ns}/a`)
    assert.deepEqual(atB.edgeChanges, ['http://b-edge1/RPC a inactive'])
    assert.equal(atB.starts.length, 1)

    const atA = world({ ownSite: 'a' })
    atA.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    await switchoverReconciler(atA.options)(`${ns}/a`)
    assert.deepEqual(atA.edgeChanges, ['http://a-edge1/RPC a inactive'])
    assert.equal(atA.starts.length, 0)
  })

  it('a held Fenced (spec Fenced, status.admitted Active) changes nothing; once let go ahead, it fences', async () => {
    const w = world()
    const reconcile = switchoverReconciler(w.options)
    const admitted = (traffic: 'Active' | 'Fenced') => ({ admitted: { traffic, since: '2026-01-01T00:00:00Z' } }) as Site['status']
    w.setSite('a', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Fenced' }, status: admitted('Active') }))
    assert.equal(await reconcile(`${ns}/a`), undefined)
    assert.deepEqual([w.edgeChanges, w.starts, w.written, w.events], [[], [], [], []])
    w.setSite('a', (s) => ({ ...s, status: admitted('Fenced') }))
    await reconcile(`${ns}/a`)
    assert.deepEqual(w.edgeChanges, ['http://a-edge1/RPC a inactive', 'http://b-edge1/RPC a inactive'])
    assert.equal(w.starts[0]?.request.mode, 'fence')
  })

  it('a site being deleted drains once its deletion went ahead', async () => {
    const w = world()
    w.setSite('a', (s) => ({
      ...s,
      metadata: { ...s.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
      status: { admitted: { traffic: 'Active', deletion: '2026-01-01T00:00:00Z', since: '2026-01-01T00:00:00Z' } },
    }))
    await switchoverReconciler(w.options)(`${ns}/a`)
    assert.equal(w.starts[0]?.request.mode, 'drain')
    assert.equal((w.lastStatus('a')?.plannedSwitchover as Record<string, unknown>).traffic, 'Drain')
  })

  it('writes nothing for a site that was never switched over', async () => {
    const w = world()
    assert.equal(await switchoverReconciler(w.options)(`${ns}/a`), undefined)
    assert.deepEqual(w.written, [])
    assert.deepEqual(w.edgeChanges, [])
  })
})

describe('SkillGroup pinning', () => {
  it("moves the group's agents of the other sites to the pinned site with a drain takeover limited to the group, and follows it", async () => {
    const w = world()
    w.informers.skillGroups.store.upsert(group('b'))
    const reconcile = pinningReconciler(w.options)
    assert.deepEqual(await reconcile(`${ns}/hotel`), { requeueAfterMs: 10_000 })
    assert.deepEqual(
      w.starts.map((s) => ({ ...s, request: { ...s.request, key: '' } })),
      [{ url: 'http://b-login', request: { failedSite: 'a', mode: 'drain', skillGroups: ['hotel'], key: '' } }],
    )
    assert.match(w.starts[0]?.request.key ?? '', /^pin-hotel-a-b-/, 'one key per pinning run')
    assert.deepEqual(w.lastStatus('hotel'), {
      pinning: {
        site: 'b',
        since: '2026-01-01T00:00:00Z',
        takeovers: [{ site: 'a', at: 'b', id: 't1' }],
        agentsInstructed: 0,
        agentsMoved: 0,
      },
    })
    assert.equal(w.events[0]?.reason, 'Pinned')
    assert.deepEqual(w.edgeChanges, [], 'pinning leaves the edges alone')

    w.persist()
    w.figures.set('t1', { instructed: 2, relogged: 2 })
    const restarted = pinningReconciler(w.options)
    assert.equal(await restarted(`${ns}/hotel`), undefined, 'every agent moved: nothing more to follow')
    assert.equal(w.starts.length, 1, 'no second takeover after a restart')
    assert.equal((w.lastStatus('hotel')?.pinning as Record<string, unknown>).agentsMoved, 2)
  })

  it('unpinning is recorded and moves nobody; a pin to an unknown site is held, saying so', async () => {
    const w = world()
    w.informers.skillGroups.store.upsert(group('b'))
    const reconcile = pinningReconciler(w.options)
    await reconcile(`${ns}/hotel`)
    w.informers.skillGroups.store.upsert(group())
    assert.equal(await reconcile(`${ns}/hotel`), undefined)
    assert.deepEqual(w.lastStatus('hotel'), { pinning: { since: '2026-01-01T00:00:00Z' } })
    assert.equal(w.events.at(-1)?.reason, 'Unpinned')
    assert.equal(w.starts.length, 1)

    w.informers.skillGroups.store.upsert(group('z'))
    await reconcile(`${ns}/hotel`)
    const [held] = w.lastStatus('hotel')?.conditions as { reason: string; message: string }[]
    assert.ok(held)
    assert.equal(held.reason, 'PinnedSiteNotServing')
    assert.match(held.message, /there is no Site z in namespace cc/)
    assert.equal(w.starts.length, 1)
  })

  it('a pin to a Fenced site is held: exact status and Event, no takeover; it takes effect by itself once the site serves', async () => {
    const w = world()
    const fenced = { admitted: { traffic: 'Fenced' as const, since: '2026-01-01T00:00:00Z' } }
    w.setSite('b', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Fenced' }, status: fenced }))
    w.informers.skillGroups.store.upsert(group('b'))
    const reconcile = pinningReconciler(w.options)
    assert.equal(await reconcile(`${ns}/hotel`), undefined, 'nothing to follow while held: a change of site b brings it back')
    const message =
      'the pin to site b is held: site b is Fenced, so the group would have nowhere to run; the group is served at every site until that site serves again, ' +
      'then the pin takes effect by itself. To pin it now: kubectl annotate skillgroup hotel callcenter.dev/allow-blackout="<reason>"'
    assert.deepEqual(w.written, [
      {
        kind: 'SkillGroup',
        name: 'hotel',
        status: {
          conditions: [
            {
              type: 'Held',
              status: 'True',
              reason: 'PinnedSiteNotServing',
              message,
              observedGeneration: 1,
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
          ],
        },
      },
    ])
    assert.deepEqual(w.events, [{ type: 'Warning', reason: 'Held', action: 'Hold', note: message }])
    assert.deepEqual(w.starts, [])
    await reconcile(`${ns}/hotel`)
    assert.equal(w.written.length, 1, 'the same hold: nothing written again')

    w.persist()
    w.clock.now += 60_000
    w.setSite('b', (s) => ({
      ...s,
      spec: { ...s.spec, traffic: 'Active' },
      status: { admitted: { traffic: 'Active', since: '2026-01-01T00:01:00Z' } },
    }))
    await reconcile(`${ns}/hotel`)
    assert.deepEqual(w.lastStatus('hotel'), {
      pinning: {
        site: 'b',
        since: '2026-01-01T00:01:00Z',
        takeovers: [{ site: 'a', at: 'b', id: 't1' }],
        agentsInstructed: 0,
        agentsMoved: 0,
      },
      conditions: [
        {
          type: 'Held',
          status: 'False',
          reason: 'Released',
          message: 'the pin to site b took effect: it serves again',
          observedGeneration: 1,
          lastTransitionTime: '2026-01-01T00:01:00Z',
        },
      ],
    })
    assert.deepEqual(
      w.events.slice(1).map((e) => e.reason),
      ['Pinned', 'Released'],
    )
  })

  it('a pin in effect is held when its site stops serving, and the group is served everywhere again (pinning.site gone)', async () => {
    const w = world()
    w.informers.skillGroups.store.upsert(group('b'))
    const reconcile = pinningReconciler(w.options)
    await reconcile(`${ns}/hotel`)
    w.setSite('b', (s) => ({ ...s, status: { heartbeat: { failedOver: true } } as Site['status'] }))
    await reconcile(`${ns}/hotel`)
    const status = w.lastStatus('hotel')
    assert.ok(status)
    assert.deepEqual(status.pinning, { since: '2026-01-01T00:00:00Z' })
    const [held] = status.conditions as { message: string }[]
    assert.match(held?.message ?? '', /site b is failed over/)
    assert.equal(w.events.at(-1)?.reason, 'Held')
    assert.ok(!w.events.some((e) => e.reason === 'Unpinned'), 'held, not unpinned')
  })

  it('the allow-blackout annotation on the group pins it to a site that does not serve, with a Warning', async () => {
    const w = world()
    w.setSite('b', (s) => ({ ...s, spec: { ...s.spec, traffic: 'Drain' } }))
    const annotated = group('b')
    w.informers.skillGroups.store.upsert({
      ...annotated,
      metadata: { ...annotated.metadata, annotations: { 'callcenter.dev/allow-blackout': 'CHG-3' } },
    })
    await pinningReconciler(w.options)(`${ns}/hotel`)
    assert.equal((w.lastStatus('hotel')?.pinning as Record<string, unknown>).site, 'b')
    assert.deepEqual(
      w.events.map((e) => [e.type, e.reason]),
      [
        ['Normal', 'Pinned'],
        ['Warning', 'BlackoutAllowed'],
      ],
    )
  })
})
