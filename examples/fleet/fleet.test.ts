import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatProblems, validateResource } from '../../crds/validate.ts'
import { buildFleet } from './fleet.ts'

describe('fleet generator', () => {
  const fleet = buildFleet()

  it('builds 15,000 agent seats with phones over 400 skill groups and two sites by default', () => {
    assert.equal(fleet.agentSeats.length, 15000)
    assert.equal(fleet.phoneMACs.length, 15000)
    assert.equal(fleet.skillGroups.length, 400)
    assert.deepEqual(
      fleet.sites.map((s) => s.metadata.name),
      ['shanghai', 'nantong'],
    )
  })

  it('gives every object a valid spec', () => {
    const started = performance.now()
    const objects = [...fleet.sites, ...fleet.skillGroups, ...fleet.agentSeats, ...fleet.phoneMACs]
    for (const object of objects) {
      const result = validateResource(object)
      assert.ok(result.valid, `${object.kind}/${object.metadata.name}: ${result.valid ? '' : formatProblems(result.problems)}`)
    }
    console.log(`validated ${objects.length} objects in ${Math.round(performance.now() - started)} ms`)
  })

  it('keeps identities unique: agent IDs, accounts, MACs, PC names, extensions per site', () => {
    const unique = (values: string[]) => new Set(values).size === values.length
    assert.ok(unique(fleet.agentSeats.map((s) => s.spec.agentId)))
    assert.ok(unique(fleet.agentSeats.map((s) => s.spec.account)))
    assert.ok(unique(fleet.phoneMACs.map((p) => p.spec.mac)))
    assert.ok(unique(fleet.phoneMACs.map((p) => p.spec.pcHostName)))
    for (const site of fleet.sites) {
      const name = site.metadata.name
      assert.ok(unique(fleet.phoneMACs.map((p) => p.spec.extensions.find((e) => e.site === name)?.extension ?? '')))
    }
  })

  it('uses every skill group and leaves each site a pool large enough for every agent', () => {
    const used = new Set(fleet.agentSeats.flatMap((s) => s.spec.skills.map((k) => k.skillGroup)))
    assert.equal(used.size, 400)
    for (const site of fleet.sites) {
      const size = site.spec.operatorIdPools.reduce((sum, pool) => sum + pool.to - pool.from + 1, 0)
      assert.ok(size >= 15000, `${site.metadata.name} pool holds ${size}`)
    }
  })

  it('is deterministic', () => {
    assert.deepEqual(buildFleet({ agents: 50, skillGroups: 7, namespace: 'x' }), buildFleet({ agents: 50, skillGroups: 7, namespace: 'x' }))
  })

  it('refuses sizes it cannot build, saying which', () => {
    assert.throws(() => buildFleet({ agents: 0, skillGroups: 400, namespace: 'x' }), /agents must be a whole number from 1 to 99999, got 0/)
    assert.throws(
      () => buildFleet({ agents: 10, skillGroups: 1.5, namespace: 'x' }),
      /skillGroups must be a whole number from 1 to 999, got 1.5/,
    )
  })
})
