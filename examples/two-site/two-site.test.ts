import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { formatProblems, validateResource } from '../../crds/validate.ts'
import type { AgentSeat, PhoneMAC, Site, SkillGroup, Trunk } from '../../crds/types.ts'
import { loadManifests } from '../load.ts'

const objects = loadManifests(fileURLToPath(new URL('.', import.meta.url)))
const ofKind = <T>(kind: string) => objects.filter((o) => o.kind === kind) as T[]
const sites = ofKind<Site>('Site')
const trunks = ofKind<Trunk>('Trunk')
const groups = ofKind<SkillGroup>('SkillGroup')
const seats = ofKind<AgentSeat>('AgentSeat')
const phones = ofKind<PhoneMAC>('PhoneMAC')

describe('examples/two-site', () => {
  it('every callcenter.dev object passes the validators', () => {
    const custom = objects.filter((o) => o.apiVersion.startsWith('callcenter.dev/'))
    assert.equal(custom.length, objects.length - 1, 'everything but the Namespace is a callcenter.dev object')
    for (const object of custom) {
      const result = validateResource(object)
      assert.ok(result.valid, `${object.kind}/${object.metadata.name}:\n${result.valid ? '' : formatProblems(result.problems)}`)
    }
  })

  it('has the sites shanghai and nantong, both active', () => {
    assert.deepEqual(sites.map((s) => s.metadata.name).sort(), ['nantong', 'shanghai'])
    for (const site of sites) assert.equal(site.spec.traffic, 'Active')
  })

  it('delivers every trunk at both sites, split by weight, local first, with regional prefixes', () => {
    assert.ok(trunks.length >= 2)
    for (const trunk of trunks) {
      assert.deepEqual(trunk.spec.sites.map((s) => s.site).sort(), ['nantong', 'shanghai'], trunk.metadata.name)
      assert.equal(trunk.spec.routing?.localFirst, true, trunk.metadata.name)
    }
    const telecom = trunks.find((t) => t.metadata.name === 'telecom')
    assert.deepEqual(telecom?.spec.routing?.prefixRules, [
      { prefix: '021', site: 'shanghai' },
      { prefix: '0513', site: 'nantong' },
    ])
    assert.ok(
      trunks.some((t) => t.spec.sites.some((s) => s.weight !== 50)),
      'some trunk splits unevenly',
    )
  })

  it('has hotel, flight, vacation and a VIP group with a stricter service level', () => {
    const byName = new Map(groups.map((g) => [g.metadata.name, g]))
    for (const name of ['hotel', 'flight', 'vacation', 'vip']) assert.ok(byName.has(name), name)
    const vip = byName.get('vip')?.spec.serviceLevel
    assert.ok(vip)
    for (const name of ['hotel', 'flight', 'vacation']) {
      const other = byName.get(name)?.spec.serviceLevel
      assert.ok(other && vip.targetPercent > other.targetPercent && vip.withinSeconds < other.withinSeconds, name)
    }
  })

  it('has about twenty agents whose skill groups and sites exist', () => {
    assert.ok(seats.length >= 18 && seats.length <= 24, `${seats.length} seats`)
    const groupNames = new Set(groups.map((g) => g.metadata.name))
    const siteNames = new Set(sites.map((s) => s.metadata.name))
    for (const seat of seats) {
      for (const skill of seat.spec.skills) assert.ok(groupNames.has(skill.skillGroup), `${seat.spec.agentId}: ${skill.skillGroup}`)
      assert.ok(siteNames.has(seat.spec.homeSite))
    }
    assert.equal(new Set(seats.map((s) => s.spec.agentId)).size, seats.length, 'agent IDs are unique')
    assert.equal(new Set(seats.map((s) => s.spec.account)).size, seats.length, 'accounts are unique')
  })

  it('gives every agent a phone with an extension at each site on lines A and B, unique per site', () => {
    assert.equal(phones.length, seats.length)
    for (const site of sites) {
      const extensions = phones.map((p) => p.spec.extensions.find((e) => e.site === site.metadata.name)?.extension)
      assert.ok(extensions.every(Boolean), `every phone has an extension at ${site.metadata.name}`)
      assert.equal(new Set(extensions).size, phones.length, `extensions are unique at ${site.metadata.name}`)
    }
    for (const phone of phones) assert.deepEqual(phone.spec.extensions.map((e) => e.line).sort(), ['A', 'B'])
    assert.equal(new Set(phones.map((p) => p.spec.pcHostName)).size, phones.length, 'PC host names are unique')
  })
})
