// The Site controller's deletion step against an informer store and fakes of the applier and the Event
// recorder: the exact calls it makes while the deletion is held, while the agents drain, and at the end.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AgentSeat, PhoneMAC, Site, SkillGroup, Trunk } from '../../crds/types.ts'
import type { Applier } from '../runtime/apply.ts'
import type { EventInput } from '../runtime/events.ts'
import { Informer } from '../runtime/informer.ts'
import type { KubeClient } from '../runtime/kube-client.ts'
import { silentLogger } from '../runtime/log.ts'
import { createMetrics } from '../runtime/metrics.ts'
import type { KubeObject, ResourceType } from '../runtime/resource.ts'
import { types, type Cached } from './kinds.ts'
import { SITE_FINALIZER, siteReconciler } from './site.ts'
import type { ProvisioningSettings } from './site-objects.ts'
import { externalSite } from './testing/external-site.ts'

const ns = 'cc'
const deletedAt = '2026-05-01T10:00:00Z'
const after = (seconds: number) => Date.parse(deletedAt) + seconds * 1000

function world() {
  const client = null as unknown as KubeClient
  const informers = {
    sites: new Informer<Cached<Site>>(client, types.site, silentLogger),
    trunks: new Informer<Cached<Trunk>>(client, types.trunk, silentLogger),
    skillGroups: new Informer<Cached<SkillGroup>>(client, types.skillGroup, silentLogger),
    agentSeats: new Informer<Cached<AgentSeat>>(client, types.agentSeat, silentLogger),
    phoneMACs: new Informer<Cached<PhoneMAC>>(client, types.phoneMAC, silentLogger),
  }
  const calls: string[] = []
  const events: EventInput[] = []
  const applier = {
    setFinalizer: (type: ResourceType, live: KubeObject, finalizer: string, present: boolean) => {
      calls.push(`${type.kind} ${live.metadata.name} finalizer ${finalizer} ${present ? 'add' : 'remove'}`)
      return Promise.resolve(true)
    },
  } as unknown as Applier
  const clock = { now: after(0) }
  const reconcile = siteReconciler({
    informers,
    owned: new Map(),
    client,
    applier,
    events: { record: (_object, event) => Promise.resolve(void events.push(event)) },
    log: silentLogger,
    metrics: createMetrics(),
    settings: {} as ProvisioningSettings,
    now: () => new Date(clock.now),
    deletionDrainTimeoutMs: 600_000,
  })
  informers.sites.store.upsert(externalSite('b', ns))
  const put = (status: Site['status']) => {
    const site = externalSite('a', ns)
    informers.sites.store.upsert({
      ...site,
      metadata: { ...site.metadata, deletionTimestamp: deletedAt, finalizers: [SITE_FINALIZER] },
      status,
    })
  }
  return { reconcile, calls, events, clock, put }
}

const wentAhead = { admitted: { traffic: 'Active' as const, deletion: deletedAt, since: deletedAt } }

describe('deleting a Site', () => {
  it('held (the last site serving): nothing is removed and nothing recorded', async () => {
    const w = world()
    w.put({ admitted: { traffic: 'Active', since: deletedAt }, agents: { hosted: 3 } })
    assert.equal(await w.reconcile(`${ns}/a`), undefined)
    assert.deepEqual([w.calls, w.events], [[], []])
  })

  it('with agents signed in: waits for them to move, then removes the finalizer', async () => {
    const w = world()
    w.put({ ...wentAhead, agents: { hosted: 3 } })
    assert.deepEqual(await w.reconcile(`${ns}/a`), { requeueAfterMs: 30_000 })
    assert.deepEqual(w.calls, [])
    assert.deepEqual(w.events, [
      {
        type: 'Normal',
        reason: 'DeletionDraining',
        action: 'Delete',
        note: 'site a is being deleted: its agents move to the other sites first (at most 600 s)',
      },
    ])
    w.put({ ...wentAhead, agents: { hosted: 0 } })
    assert.equal(await w.reconcile(`${ns}/a`), undefined)
    assert.deepEqual(w.calls, [`Site a finalizer ${SITE_FINALIZER} remove`])
    assert.equal(w.events.at(-1)?.reason, 'CleanedUp')
  })

  it('agents still there at the timeout: a Warning naming how many, then removed anyway', async () => {
    const w = world()
    w.put({ ...wentAhead, agents: { hosted: 2 } })
    w.clock.now = after(600)
    await w.reconcile(`${ns}/a`)
    assert.deepEqual(
      w.events.map((e) => [e.type, e.reason, e.note]),
      [
        ['Warning', 'DeletionDrainTimedOut', '2 agent(s) still signed in at site a after 600 s: removing it anyway'],
        ['Normal', 'CleanedUp', 'every object of the site was removed'],
      ],
    )
    assert.deepEqual(w.calls, [`Site a finalizer ${SITE_FINALIZER} remove`])
  })
})
