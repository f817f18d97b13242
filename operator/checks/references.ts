// Pure cross-object checks: references to Sites and SkillGroups that do not exist, overlapping
// operator-ID pools, and identities two objects claim at once (an extension at a site, a MAC, a PC).
import type { AgentSeat, PhoneMAC, Site, SkillGroup, Trunk } from '../../crds/types.ts'
import type { Problem } from './problem.ts'

/** What the checks may look up: names that exist in the object's namespace, and who else claims what. */
export interface Known {
  sites: { has(name: string): boolean }
  skillGroups: { has(name: string): boolean }
}

function unknownSite(where: string, site: string): Problem {
  return { reason: 'UnknownSite', message: `${where} names Site "${site}", which does not exist in this namespace` }
}

function unknownSkillGroup(where: string, group: string): Problem {
  return { reason: 'UnknownSkillGroup', message: `${where} names SkillGroup "${group}", which does not exist in this namespace` }
}

export function siteProblems(site: Site, known: Known): Problem[] {
  const problems: Problem[] = []
  const pools = site.spec.operatorIdPools
  pools.forEach((pool, i) => {
    for (const other of pools.slice(i + 1)) {
      if (pool.from <= other.to && other.from <= pool.to) {
        problems.push({
          reason: 'OverlappingOperatorIdPools',
          message: `operator-ID pools "${pool.name}" (${pool.from}-${pool.to}) and "${other.name}" (${other.from}-${other.to}) overlap: an ID could be leased twice`,
        })
      }
    }
    for (const group of pool.skillGroups ?? []) {
      if (!known.skillGroups.has(group)) problems.push(unknownSkillGroup(`operatorIdPools "${pool.name}"`, group))
    }
  })
  return problems
}

export function trunkProblems(trunk: Trunk, known: Known): Problem[] {
  return trunk.spec.sites.filter((s) => !known.sites.has(s.site)).map((s) => unknownSite('sites', s.site))
}

export function skillGroupProblems(group: SkillGroup, known: Known): Problem[] {
  const problems: Problem[] = []
  const { overflow, escalation, pinnedSite } = group.spec
  if (overflow?.skillGroup && !known.skillGroups.has(overflow.skillGroup)) problems.push(unknownSkillGroup('overflow', overflow.skillGroup))
  if (overflow?.site && !known.sites.has(overflow.site)) problems.push(unknownSite('overflow', overflow.site))
  if (pinnedSite && !known.sites.has(pinnedSite)) problems.push(unknownSite('pinnedSite', pinnedSite))
  for (const step of escalation ?? []) {
    for (const added of step.addSkillGroups ?? []) {
      if (!known.skillGroups.has(added)) problems.push(unknownSkillGroup(`escalation at ${step.afterSeconds}s`, added))
    }
  }
  return problems
}

export function agentSeatProblems(
  seat: AgentSeat,
  known: Known,
  sameAccount: readonly AgentSeat[],
  sameAgentId: readonly AgentSeat[],
): Problem[] {
  const problems: Problem[] = []
  if (!known.sites.has(seat.spec.homeSite)) problems.push(unknownSite('homeSite', seat.spec.homeSite))
  for (const site of seat.spec.allowedSites ?? [])
    if (site !== seat.spec.homeSite && !known.sites.has(site)) problems.push(unknownSite('allowedSites', site))
  for (const skill of seat.spec.skills)
    if (!known.skillGroups.has(skill.skillGroup)) problems.push(unknownSkillGroup('skills', skill.skillGroup))
  const others = (list: readonly AgentSeat[]) => list.filter((s) => s.metadata.name !== seat.metadata.name).map((s) => s.metadata.name)
  const accountTwins = others(sameAccount)
  if (accountTwins.length) {
    problems.push({
      reason: 'DuplicateAccount',
      message: `account ${seat.spec.account} is also used by AgentSeat ${accountTwins.join(', ')}`,
    })
  }
  const idTwins = others(sameAgentId)
  if (idTwins.length)
    problems.push({ reason: 'DuplicateAgentId', message: `agentId ${seat.spec.agentId} is also used by AgentSeat ${idTwins.join(', ')}` })
  return problems
}

export interface PhoneClaims {
  /** PhoneMACs with the same extension at the given site. */
  extension: (site: string, extension: string) => readonly PhoneMAC[]
  mac: (mac: string) => readonly PhoneMAC[]
  pc: (pcHostName: string) => readonly PhoneMAC[]
}

export function phoneProblems(phone: PhoneMAC, known: Known, claims: PhoneClaims): Problem[] {
  const problems: Problem[] = []
  const others = (list: readonly PhoneMAC[]) => list.filter((p) => p.metadata.name !== phone.metadata.name).map((p) => p.metadata.name)
  for (const { site, extension } of phone.spec.extensions) {
    if (!known.sites.has(site)) problems.push(unknownSite('extensions', site))
    const twins = others(claims.extension(site, extension))
    if (twins.length) {
      problems.push({
        reason: 'DuplicateExtension',
        message: `extension ${extension} at site ${site} is also used by PhoneMAC ${twins.join(', ')}`,
      })
    }
  }
  const macTwins = others(claims.mac(phone.spec.mac))
  if (macTwins.length)
    problems.push({ reason: 'DuplicateMAC', message: `MAC ${phone.spec.mac} is also claimed by PhoneMAC ${macTwins.join(', ')}` })
  const pcTwins = others(claims.pc(phone.spec.pcHostName))
  if (pcTwins.length) {
    problems.push({
      reason: 'DuplicatePC',
      message: `PC ${phone.spec.pcHostName} is also on the switch port of PhoneMAC ${pcTwins.join(', ')}`,
    })
  }
  return problems
}
