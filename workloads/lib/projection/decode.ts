// Pure: turn the projected `cc:` values back into typed records, for the workloads that read them.
// A value that does not have the expected shape gives null (the caller treats it as not projected).

export interface ProjectedSkill {
  skillGroup: string
  proficiency: number
}

export interface ProjectedAgentSeat {
  agentId: string
  account: string
  displayName?: string
  homeSite: string
  /** Empty: every site. */
  allowedSites: string[]
  skills: ProjectedSkill[]
}

export interface ProjectedPhone {
  mac: string
  pcHostName: string
  extensions: { site: string; extension: string; line: string }[]
  credentials?: { username: string; password: string }
}

export interface ProjectedPool {
  name: string
  from: number
  to: number
  /** Empty: any group without a pool of its own. */
  skillGroups: string[]
  leaseSeconds: number
}

export interface ProjectedSiteState {
  site: string
  traffic: string
  health: string
}

function parse(text: string | undefined | null): unknown {
  if (text === undefined || text === null) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string')

export function decodeAgentSeat(fields: Record<string, string> | null | undefined): ProjectedAgentSeat | null {
  if (!fields?.agentId || !fields.account || !fields.homeSite) return null
  const allowedSites = parse(fields.allowedSites)
  const skills = parse(fields.skills)
  if (!isStringArray(allowedSites) || !Array.isArray(skills)) return null
  const decodedSkills = skills.filter(
    (skill): skill is ProjectedSkill => isRecord(skill) && typeof skill.skillGroup === 'string' && typeof skill.proficiency === 'number',
  )
  return {
    agentId: fields.agentId,
    account: fields.account,
    ...(fields.displayName === undefined ? {} : { displayName: fields.displayName }),
    homeSite: fields.homeSite,
    allowedSites,
    skills: decodedSkills,
  }
}

export function decodePhone(fields: Record<string, string> | null | undefined): ProjectedPhone | null {
  if (!fields?.mac || !fields.pcHostName) return null
  const extensions = parse(fields.extensions)
  if (!Array.isArray(extensions)) return null
  const credentials =
    fields.sipUsername !== undefined && fields.sipPassword !== undefined
      ? { username: fields.sipUsername, password: fields.sipPassword }
      : undefined
  return {
    mac: fields.mac,
    pcHostName: fields.pcHostName,
    extensions: extensions.filter(
      (item): item is ProjectedPhone['extensions'][number] =>
        isRecord(item) && typeof item.site === 'string' && typeof item.extension === 'string' && typeof item.line === 'string',
    ),
    ...(credentials === undefined ? {} : { credentials }),
  }
}

export function decodeSitePools(text: string | null | undefined): ProjectedPool[] | null {
  const value = parse(text)
  if (!isRecord(value) || !Array.isArray(value.pools)) return null
  return value.pools.filter(
    (pool): pool is ProjectedPool =>
      isRecord(pool) &&
      typeof pool.name === 'string' &&
      typeof pool.from === 'number' &&
      typeof pool.to === 'number' &&
      isStringArray(pool.skillGroups) &&
      typeof pool.leaseSeconds === 'number',
  )
}

export function decodeSiteState(text: string | null | undefined): ProjectedSiteState | null {
  const value = parse(text)
  if (!isRecord(value) || typeof value.site !== 'string' || typeof value.traffic !== 'string' || typeof value.health !== 'string')
    return null
  return { site: value.site, traffic: value.traffic, health: value.health }
}

/** A projected SkillGroup: its spec plus name and generation, as JSON (see crds/schema/skillgroup.ts). */
export function decodeSkillGroup(text: string | null | undefined): (Record<string, unknown> & { name: string }) | null {
  const value = parse(text)
  if (!isRecord(value) || typeof value.name !== 'string') return null
  return { ...value, name: value.name }
}
