// Pure: what one CR looks like in a site's Redis under the `cc:` keys of ../keys.ts. Each object
// becomes its main entries (hashes or JSON strings), pointer keys that lead to it (account -> agentId,
// PC -> MAC, extension -> MAC) and index-set memberships. Its change message is part of it.
import type { AgentSeat, PhoneMAC, Site, SkillGroup } from '../../../crds/types.ts'
import { projectionKeys, type ProjectionChange } from '../keys.ts'

export type EntryValue = { type: 'hash'; fields: Record<string, string> } | { type: 'string'; value: string }

export interface Entry {
  key: string
  type: EntryValue['type']
}

export interface Membership {
  key: string
  member: string
}

/** What one object owns in Redis; `values` is absent when the object is being removed. */
export interface ProjectedObject {
  kind: ProjectionChange['kind']
  /** The identity its keys use: agentId, lower-case MAC, SkillGroup name or Site name. */
  name: string
  entries: Entry[]
  values?: Map<string, EntryValue>
  /** Pointer keys to the object and the value each holds. */
  pointers: Map<string, string>
  memberships: Membership[]
}

/** SIP credentials of a phone, read by the operator from the PhoneMAC's credentials Secret. */
export interface SipCredentials {
  username: string
  password: string
}

const DEFAULT_PROFICIENCY = 5
const DEFAULT_LEASE_SECONDS = 600

const generationOf = (object: { metadata: { generation?: number } }) => String(object.metadata.generation ?? 0)

function hash(key: string, fields: Record<string, string | undefined>): [string, EntryValue] {
  const defined = Object.fromEntries(Object.entries(fields).filter((pair): pair is [string, string] => pair[1] !== undefined))
  return [key, { type: 'hash', fields: defined }]
}

function json(key: string, value: unknown): [string, EntryValue] {
  return [key, { type: 'string', value: JSON.stringify(value) }]
}

function built(
  kind: ProjectedObject['kind'],
  name: string,
  values: [string, EntryValue][],
  pointers: Map<string, string>,
  memberships: Membership[] = [],
): ProjectedObject {
  return {
    kind,
    name,
    entries: values.map(([key, value]) => ({ key, type: value.type })),
    values: new Map(values),
    pointers,
    memberships,
  }
}

function parseJsonArray(text: string | undefined): unknown[] {
  if (text === undefined) return []
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) ? value : []
  } catch {
    return []
  }
}

// --- AgentSeat ---------------------------------------------------------------------------------

const seatPointers = (agentId: string, account: string | undefined) =>
  new Map(account === undefined ? [] : [[projectionKeys.account(account), agentId]])

export function agentSeatProjection(seat: AgentSeat): ProjectedObject {
  const { agentId, account, displayName, homeSite, allowedSites, skills } = seat.spec
  const entry = hash(projectionKeys.agentSeat(agentId), {
    agentId,
    name: seat.metadata.name,
    account,
    displayName,
    homeSite,
    allowedSites: JSON.stringify(allowedSites ?? []),
    skills: JSON.stringify(
      skills.map((skill) => ({ skillGroup: skill.skillGroup, proficiency: skill.proficiency ?? DEFAULT_PROFICIENCY })),
    ),
    generation: generationOf(seat),
  })
  return built('AgentSeat', agentId, [entry], seatPointers(agentId, account))
}

export function agentSeatTarget(agentId: string): ProjectedObject {
  return {
    kind: 'AgentSeat',
    name: agentId,
    entries: [{ key: projectionKeys.agentSeat(agentId), type: 'hash' }],
    pointers: new Map(),
    memberships: [],
  }
}

// --- PhoneMAC ----------------------------------------------------------------------------------

function phonePointers(mac: string, pcHostName: string | undefined, extensions: unknown[]): Map<string, string> {
  const pointers = new Map<string, string>()
  if (pcHostName !== undefined) pointers.set(projectionKeys.pc(pcHostName), mac)
  for (const item of extensions) {
    const { site, extension } = (item ?? {}) as { site?: unknown; extension?: unknown }
    if (typeof site === 'string' && typeof extension === 'string') pointers.set(projectionKeys.extension(site, extension), mac)
  }
  return pointers
}

export function phoneMACProjection(phone: PhoneMAC, credentials?: SipCredentials): ProjectedObject {
  const mac = phone.spec.mac.toLowerCase()
  const extensions = phone.spec.extensions.map(({ site, extension, line }) => ({ site, extension, line }))
  const entry = hash(projectionKeys.phone(mac), {
    mac,
    name: phone.metadata.name,
    pcHostName: phone.spec.pcHostName,
    model: phone.spec.model,
    extensions: JSON.stringify(extensions),
    credentialsSecret: phone.spec.credentialsSecretRef?.name,
    sipUsername: credentials?.username,
    sipPassword: credentials?.password,
    generation: generationOf(phone),
  })
  return built('PhoneMAC', mac, [entry], phonePointers(mac, phone.spec.pcHostName, extensions))
}

export function phoneMACTarget(mac: string): ProjectedObject {
  const lower = mac.toLowerCase()
  return {
    kind: 'PhoneMAC',
    name: lower,
    entries: [{ key: projectionKeys.phone(lower), type: 'hash' }],
    pointers: new Map(),
    memberships: [],
  }
}

// --- SkillGroup --------------------------------------------------------------------------------

export function skillGroupProjection(group: SkillGroup): ProjectedObject {
  const name = group.metadata.name
  const entry = json(projectionKeys.skillGroup(name), { ...group.spec, name, generation: group.metadata.generation ?? 0 })
  return built('SkillGroup', name, [entry], new Map(), [{ key: projectionKeys.skillGroupIndex(), member: name }])
}

export function skillGroupTarget(name: string): ProjectedObject {
  return {
    kind: 'SkillGroup',
    name,
    entries: [{ key: projectionKeys.skillGroup(name), type: 'string' }],
    pointers: new Map(),
    memberships: [{ key: projectionKeys.skillGroupIndex(), member: name }],
  }
}

// --- Site --------------------------------------------------------------------------------------

export function siteProjection(site: Site): ProjectedObject {
  const name = site.metadata.name
  const pools = site.spec.operatorIdPools.map((pool) => ({
    name: pool.name,
    from: pool.from,
    to: pool.to,
    skillGroups: pool.skillGroups ?? [],
    leaseSeconds: pool.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
  }))
  return built(
    'Site',
    name,
    [
      json(projectionKeys.sitePools(name), { generation: site.metadata.generation ?? 0, pools }),
      // Health lives in status (no new generation when it changes): the content, not the generation, decides a write.
      json(projectionKeys.site(name), { site: name, traffic: site.spec.traffic ?? 'Active', health: site.status?.health ?? 'Unknown' }),
    ],
    new Map(),
    [{ key: projectionKeys.siteIndex(), member: name }],
  )
}

export function siteTarget(name: string): ProjectedObject {
  return {
    kind: 'Site',
    name,
    entries: [
      { key: projectionKeys.sitePools(name), type: 'string' },
      { key: projectionKeys.site(name), type: 'string' },
    ],
    pointers: new Map(),
    memberships: [{ key: projectionKeys.siteIndex(), member: name }],
  }
}

// --- What is stored ----------------------------------------------------------------------------

/** The pointer keys an object's stored entries imply, to find the stale ones when they change. */
export function storedPointers(target: ProjectedObject, stored: Map<string, EntryValue>): Map<string, string> {
  const main = target.entries[0]
  const value = main === undefined ? undefined : stored.get(main.key)
  if (value?.type !== 'hash') return new Map()
  if (target.kind === 'AgentSeat') return seatPointers(target.name, value.fields.account)
  if (target.kind === 'PhoneMAC') return phonePointers(target.name, value.fields.pcHostName, parseJsonArray(value.fields.extensions))
  return new Map()
}
