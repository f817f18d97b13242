// A Site's phase and conditions from what the Site controller observed (pure).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Site } from '../../crds/types.ts'
import { loadManifests } from '../../examples/load.ts'
import { siteStatus, type SiteObservation, type WorkloadReadiness } from './site-status.ts'

const shanghai = loadManifests(join(import.meta.dirname, '../../examples/two-site')).find(
  (object) => object.kind === 'Site' && object.metadata.name === 'shanghai',
) as unknown as Site | undefined
assert.ok(shanghai)
const site: Site = { ...shanghai, metadata: { ...shanghai.metadata, generation: 3 } }
const now = new Date('2026-12-05T10:00:00Z')

const all = ['softswitch', 'edge', 'acd', 'login', 'cti', 'redis'] as const
const workloads = (ready: (component: (typeof all)[number]) => [ready: number, desired: number]): WorkloadReadiness[] =>
  all.map((component) => ({ component, ready: ready(component)[0], desired: ready(component)[1] }))
const observe = (observation: Partial<SiteObservation>): SiteObservation => ({
  problems: [],
  workloads: [],
  agentsHomed: 0,
  ...observation,
})
const condition = (status: ReturnType<typeof siteStatus>, type: string) => {
  const found = status.conditions?.find((c) => c.type === type)
  return found && { status: found.status, reason: found.reason, message: found.message }
}

test('every component at its replicas: Ready', () => {
  const status = siteStatus(site, observe({ workloads: workloads(() => [2, 2]) }), now)
  assert.equal(status.phase, 'Ready')
  assert.equal(condition(status, 'Ready')?.status, 'True')
  assert.equal(condition(status, 'Degraded')?.status, 'False')
})

test('a drill that holds every component at 0/0 leaves the Site Degraded and not Ready, naming the drill', () => {
  const stopped = ['softswitch', 'edge', 'acd', 'login', 'cti'] as const
  const status = siteStatus(
    site,
    observe({ workloads: workloads((c) => (c === 'redis' ? [1, 1] : [0, 0])), drill: { name: 'q3-site-down', stopped } }),
    now,
  )
  assert.equal(status.phase, 'Degraded')
  const message = 'drill q3-site-down holds softswitch, edge, acd, login, cti at 0 replicas'
  assert.deepEqual(condition(status, 'Ready'), { status: 'False', reason: 'DrillStopped', message })
  assert.deepEqual(condition(status, 'Degraded'), { status: 'True', reason: 'DrillStopped', message })
  assert.deepEqual(
    status.components?.filter((c) => c.message).map((c) => [c.name, c.ready, c.message]),
    stopped.map((name) => [name, '0/0', 'stopped by drill q3-site-down']),
  )
})

test('a drill of one component, with another short of replicas: both are named', () => {
  const status = siteStatus(
    site,
    observe({
      workloads: workloads((c) => (c === 'login' ? [0, 0] : c === 'acd' ? [1, 2] : [2, 2])),
      drill: { name: 'login-drill', stopped: ['login'] },
    }),
    now,
  )
  assert.equal(status.phase, 'Degraded')
  assert.equal(condition(status, 'Ready')?.message, 'drill login-drill holds login at 0 replicas; not ready: acd')
})

test('a drill of External components only (nothing of the Site at 0/0) does not change the phase', () => {
  const status = siteStatus(site, observe({ workloads: [], drill: { name: 'external', stopped: ['edge'] } }), now)
  assert.equal(status.phase, 'Ready')
})

test('restored from a drill, the pods starting again: Provisioning until one is ready, then Degraded, then Ready', () => {
  assert.equal(siteStatus(site, observe({ workloads: workloads(() => [0, 2]) }), now).phase, 'Provisioning')
  assert.equal(siteStatus(site, observe({ workloads: workloads((c) => (c === 'acd' ? [1, 2] : [0, 2])) }), now).phase, 'Degraded')
  assert.equal(siteStatus(site, observe({ workloads: workloads(() => [2, 2]) }), now).phase, 'Ready')
})
