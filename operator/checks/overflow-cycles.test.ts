import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { badCombinations } from '../../crds/catalog/bad-combinations.ts'
import { validSkillGroup } from '../../crds/catalog/valid.ts'
import type { SkillGroup } from '../../crds/types.ts'
import { formatProblems, validateResource } from '../../crds/validate.ts'
import { overflowChain, overflowCycleProblems } from './overflow-cycles.ts'
import { skillGroupProblems } from './references.ts'

function group(name: string, overflow?: SkillGroup['spec']['overflow']): SkillGroup {
  const object = validSkillGroup(name)
  if (overflow) object.spec.overflow = overflow
  return object
}

function lookup(groups: readonly SkillGroup[]) {
  const byName = new Map(groups.map((g) => [g.metadata.name, g]))
  return (name: string) => byName.get(name)
}

describe('overflow cycles', () => {
  describe('the bad-combination catalog: each object passes the apiserver alone, the operator reports exactly the ones named', () => {
    for (const combination of badCombinations) {
      it(combination.name, () => {
        const groups = combination.objects.filter((o): o is SkillGroup => o.kind === 'SkillGroup')
        assert.equal(groups.length, combination.objects.length, 'this runner judges SkillGroups only')
        const groupNamed = lookup(groups)
        const known = { sites: { has: () => false }, skillGroups: { has: (name: string) => groupNamed(name) !== undefined } }
        for (const object of groups) {
          const alone = validateResource(object)
          assert.ok(alone.valid, alone.valid ? '' : formatProblems(alone.problems))
          const problems = [...skillGroupProblems(object, known), ...overflowCycleProblems(object, groupNamed)]
          const report = combination.reports.find((r) => r.kind === 'SkillGroup' && r.name === object.metadata.name)
          if (!report) {
            assert.deepEqual(problems, [], `${object.metadata.name} is not part of the problem`)
            continue
          }
          assert.equal(problems.length, 1, `${object.metadata.name}: ${JSON.stringify(problems)}`)
          assert.equal(problems[0]?.reason, report.reason)
          assert.ok(problems[0].message.includes(report.message), `${object.metadata.name}: ${problems[0].message}`)
        }
      })
    }
  })

  it('follows a chain to its end: a group without overflow, a site, or a group that does not exist', () => {
    const groups = [
      group('vip', { afterSeconds: 30, skillGroup: 'hotel' }),
      group('hotel', { afterSeconds: 60, skillGroup: 'flight' }),
      group('flight', { afterSeconds: 90, site: 'nantong' }),
      group('train', { afterSeconds: 90, skillGroup: 'bus' }),
    ]
    const groupNamed = lookup(groups)
    assert.deepEqual(overflowChain(groups[0] as SkillGroup, groupNamed), { groups: ['vip', 'hotel', 'flight'], backTo: undefined })
    assert.deepEqual(overflowChain(groups[3] as SkillGroup, groupNamed), { groups: ['train', 'bus'], backTo: undefined })
    for (const g of groups) assert.deepEqual(overflowCycleProblems(g, groupNamed), [])
  })

  it("does not count overflow to the group's own agents at another site as a cycle", () => {
    const hotel = group('hotel', { afterSeconds: 60, skillGroup: 'hotel', site: 'nantong' })
    assert.deepEqual(overflowCycleProblems(hotel, lookup([hotel])), [])
  })

  it('reports only the groups in the cycle, not one that overflows into it', () => {
    const groups = [
      group('vip', { afterSeconds: 30, skillGroup: 'hotel' }),
      group('hotel', { afterSeconds: 60, skillGroup: 'flight' }),
      group('flight', { afterSeconds: 60, skillGroup: 'hotel', site: 'nantong' }),
    ]
    const groupNamed = lookup(groups)
    assert.deepEqual(overflowChain(groups[0] as SkillGroup, groupNamed), { groups: ['vip', 'hotel', 'flight'], backTo: 'hotel' })
    assert.deepEqual(
      groups.map((g) => overflowCycleProblems(g, groupNamed).length),
      [0, 1, 1],
    )
  })

  it('reaches every group of a broken cycle from the changed group as it was, so their reports are re-judged', () => {
    const before = group('vacation', { afterSeconds: 60, skillGroup: 'hotel' })
    const after = group('vacation', { afterSeconds: 60, skillGroup: 'vip' })
    const cycle = [
      group('hotel', { afterSeconds: 60, skillGroup: 'flight' }),
      group('flight', { afterSeconds: 60, skillGroup: 'vacation' }),
    ]
    const groupNamed = lookup([...cycle, after, group('vip')])
    assert.deepEqual(overflowChain(before, groupNamed).groups.sort(), ['flight', 'hotel', 'vacation'])
    for (const g of cycle) assert.deepEqual(overflowCycleProblems(g, groupNamed), [])
  })
})
