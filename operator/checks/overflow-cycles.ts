// Pure: where a SkillGroup's calls overflow to, group after group. A chain that comes back to the group
// it started from is a cycle: a call that waits too long would be passed round it instead of being
// answered elsewhere. Every group in the cycle is reported, naming the whole cycle.
import type { SkillGroup } from '../../crds/types.ts'
import type { Problem } from './problem.ts'

export type GroupNamed = (name: string) => SkillGroup | undefined

/** The other group this group's calls overflow to (overflow to its own agents at another site is none). */
function overflowsTo(group: SkillGroup): string | undefined {
  const target = group.spec.overflow?.skillGroup
  return target === group.metadata.name ? undefined : target
}

/**
 * The groups a call from `group` overflows through, `group` first, each once; and where the last of them
 * overflows to when that is a group already passed (else undefined: the chain ends).
 */
export function overflowChain(group: SkillGroup, groupNamed: GroupNamed): { groups: string[]; backTo: string | undefined } {
  const groups = [group.metadata.name]
  let next = overflowsTo(group)
  while (next !== undefined && !groups.includes(next)) {
    groups.push(next)
    const target = groupNamed(next)
    next = target && overflowsTo(target)
  }
  return { groups, backTo: next }
}

export function overflowCycleProblems(group: SkillGroup, groupNamed: GroupNamed): Problem[] {
  const { groups, backTo } = overflowChain(group, groupNamed)
  if (backTo !== group.metadata.name) return []
  return [
    {
      reason: 'OverflowCycle',
      message: `overflow.skillGroup forms a cycle: ${[...groups, backTo].join(' -> ')}; a call that waits too long would be passed round it, never answered elsewhere: point one of these groups' overflow outside the cycle`,
    },
  ]
}
