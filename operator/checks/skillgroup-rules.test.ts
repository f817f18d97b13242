import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { validSkillGroup } from '../../crds/catalog/valid.ts'
import { skillGroupRuleProblems } from './skillgroup-rules.ts'

describe('skillGroupRuleProblems', () => {
  it('accepts rules that compile', () => {
    const group = validSkillGroup()
    group.spec.rules = { eligibility: 'agent.proficiency >= 5', priority: "call.memberTier == 'diamond' ? 10 : 0" }
    assert.deepEqual(skillGroupRuleProblems(group), [])
  })

  it('names the rule and the position of a rule that does not compile', () => {
    const group = validSkillGroup()
    group.spec.rules = { eligibility: 'agent.proficiency >= ' }
    const [problem] = skillGroupRuleProblems(group)
    assert.equal(problem?.reason, 'InvalidRule')
    assert.match(problem.message, /^rules\.eligibility does not compile at line 1, column \d+: .+ \(in "agent\.proficiency >= "\)$/)
  })
})
