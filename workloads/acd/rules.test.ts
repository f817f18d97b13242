import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toCel } from '../../crds/cel.ts'
import { compileSkillGroupRules, describeProblem, type CompiledRules } from './rules.ts'

function compiled(rules: { eligibility?: string; priority?: string }): CompiledRules {
  const result = compileSkillGroupRules({ rules })
  if (!result.ok) assert.fail(result.problems.map(describeProblem).join('; '))
  return result.rules
}

describe('CEL rules: compile errors name the rule and the position', () => {
  it('refuses an eligibility rule that does not parse, with line and column', () => {
    const result = compileSkillGroupRules({ rules: { eligibility: 'agent.proficiency >= ' } })
    assert.equal(result.ok, false)
    const [problem] = result.problems
    assert.equal(problem?.rule, 'eligibility')
    assert.equal(problem.expression, 'agent.proficiency >= ')
    assert.equal(problem.line, 1)
    assert.ok(problem.column > 1, `column ${problem.column}`)
    assert.match(
      describeProblem(problem),
      /^rules\.eligibility: does not compile: .+ at line 1, column \d+ \(in "agent\.proficiency >= "\)$/,
    )
  })

  it('reports the line of an error on a later line', () => {
    const result = compileSkillGroupRules({ rules: { priority: 'call.vip\n  ? 10 :: 0' } })
    assert.equal(result.ok, false)
    assert.equal(result.problems[0]?.rule, 'priority')
    assert.equal(result.problems[0].line, 2)
  })

  it('refuses a priority rule that uses `agent`, pointing at it', () => {
    const result = compileSkillGroupRules({ rules: { priority: 'call.vip ? 10 : agent.proficiency' } })
    assert.equal(result.ok, false)
    const [problem] = result.problems
    assert.equal(problem?.rule, 'priority')
    assert.equal(problem.column, 17)
    assert.match(problem.message, /unknown variable `agent` \(a priority rule can use `call`\)/)
  })

  it('refuses an unknown variable on a second line with its line and column', () => {
    const result = compileSkillGroupRules({ rules: { eligibility: 'agent.proficiency >= 5 &&\n   customer.vip' } })
    assert.equal(result.ok, false)
    assert.deepEqual([result.problems[0]?.line, result.problems[0]?.column], [2, 4])
    assert.match(result.problems[0]?.message ?? '', /`customer`/)
  })

  it('reports both rules when both are broken', () => {
    const result = compileSkillGroupRules({ rules: { eligibility: '(', priority: 'x + 1' } })
    assert.equal(result.ok, false)
    assert.deepEqual(
      result.problems.map((p) => p.rule),
      ['eligibility', 'priority'],
    )
  })

  it('accepts variables bound by macros', () => {
    const result = compileSkillGroupRules({ rules: { eligibility: "call.tags.exists(t, t == 'gold') || agent.proficiency > 8" } })
    assert.equal(result.ok, true)
  })
})

describe('CEL rules: evaluation', () => {
  it('eligibility over agent and call', () => {
    const rules = compiled({ eligibility: "agent.proficiency >= 7 || call.memberTier == 'diamond'" })
    const gold = toCel({ memberTier: 'gold' })
    assert.equal(rules.isEligible(toCel({ proficiency: 8 }), gold), true)
    assert.equal(rules.isEligible(toCel({ proficiency: 6 }), gold), false)
    assert.equal(rules.isEligible(toCel({ proficiency: 1 }), toCel({ memberTier: 'diamond' })), true)
  })

  it('priority over call, and 0 with the error counted when the call lacks a field', () => {
    const rules = compiled({ priority: "call.memberTier == 'diamond' ? 10 : 5" })
    assert.equal(rules.priorityOf(toCel({ memberTier: 'diamond' })), 10)
    assert.equal(rules.priorityOf(toCel({ memberTier: 'gold' })), 5)
    assert.equal(rules.evaluationErrors, 0)
    assert.equal(rules.priorityOf(toCel({})), 0)
    assert.equal(rules.evaluationErrors, 1)
    assert.match(rules.lastEvaluationError ?? '', /^rules\.priority: /)
  })

  it('an eligibility rule that gives a non-bool says no', () => {
    const rules = compiled({ eligibility: 'agent.proficiency' })
    assert.equal(rules.isEligible(toCel({ proficiency: 5 }), toCel({})), false)
    assert.match(rules.lastEvaluationError ?? '', /instead of a bool/)
  })

  it('no rules: everyone eligible, priority 0', () => {
    const rules = compiled({})
    assert.equal(rules.hasEligibility, false)
    assert.equal(rules.isEligible(toCel({}), toCel({})), true)
    assert.equal(rules.priorityOf(toCel({ vip: true })), 0)
  })
})
