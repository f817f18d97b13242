// A SkillGroup's CEL rules, compiled exactly as the ACD compiles them: a rule that does not compile is a
// problem naming the rule and the position, so it is caught before a call ever meets it.
import type { SkillGroup } from '../../crds/types.ts'
import { compileSkillGroupRules } from '../../workloads/acd/rules.ts'
import type { Problem } from './problem.ts'

export function skillGroupRuleProblems(group: SkillGroup): Problem[] {
  const result = compileSkillGroupRules(group.spec)
  if (result.ok) return []
  return result.problems.map((p) => ({
    reason: 'InvalidRule',
    message: `rules.${p.rule} does not compile at line ${p.line}, column ${p.column}: ${p.message} (in ${JSON.stringify(p.expression)})`,
  }))
}
