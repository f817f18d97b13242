// Pure: which of a site's operator-ID pools an agent leases from. A pool dedicated to one of the
// agent's skill groups wins (in the order of the agent's skills); only an agent without one uses a
// general pool (a pool with no skillGroups). There is no fallback from an exhausted dedicated pool to
// a general one: an operator ID from a group's range is what the CTI expects for that group's agents.
import type { ProjectedPool, ProjectedSkill } from '../lib/projection/decode.ts'

export function candidatePools(pools: readonly ProjectedPool[], skills: readonly ProjectedSkill[]): ProjectedPool[] {
  const dedicated: ProjectedPool[] = []
  for (const skill of skills) {
    for (const pool of pools) {
      if (pool.skillGroups.includes(skill.skillGroup) && !dedicated.includes(pool)) dedicated.push(pool)
    }
  }
  return dedicated.length > 0 ? dedicated : pools.filter((pool) => pool.skillGroups.length === 0)
}
