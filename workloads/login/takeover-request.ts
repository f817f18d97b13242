// Pure: the body of POST /v1/takeover, checked. Unknown fields are refused rather than ignored: a
// misspelt skillGroups would otherwise move every agent of the site. A `key` makes the request
// idempotent: a caller that did not hear the answer (an operator that died) asks again with the same key
// and gets the takeover already started, not a second one.
import type { TakeoverMode } from '../lib/protocol.ts'

export const TAKEOVER_MODES: readonly TakeoverMode[] = ['failover', 'drain', 'fence']
const FIELDS = new Set(['failedSite', 'mode', 'skillGroups', 'key'])
const KEY = /^[A-Za-z0-9._:-]{1,128}$/
const MAX_SKILL_GROUPS = 256
const MAX_NAME = 253

export interface TakeoverRequest {
  failedSite: string
  mode: TakeoverMode
  /** Only agents whose AgentSeat has one of these groups; absent: every agent of failedSite. */
  skillGroups?: string[]
  /** Idempotency key: one takeover per key. */
  key?: string
}

const isMode = (value: unknown): value is TakeoverMode => TAKEOVER_MODES.includes(value as TakeoverMode)

/** The request, or an Error whose message names the field that is wrong. */
export function parseTakeoverRequest(body: unknown, ownSite: string): TakeoverRequest | Error {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return new Error('the body must be a JSON object {failedSite, mode?, skillGroups?, key?}')
  }
  const fields = body as Record<string, unknown>
  const unknown = Object.keys(fields).filter((name) => !FIELDS.has(name))
  if (unknown.length > 0) return new Error(`unknown field ${unknown.join(', ')}: a takeover takes failedSite, mode, skillGroups and key`)
  const { failedSite, mode, skillGroups, key } = fields
  if (typeof failedSite !== 'string' || failedSite.length === 0 || failedSite.length > MAX_NAME || failedSite === ownSite) {
    return new Error(`failedSite must name a peer site of ${ownSite}`)
  }
  if (mode !== undefined && !isMode(mode)) return new Error(`mode must be one of ${TAKEOVER_MODES.join(', ')}; got ${JSON.stringify(mode)}`)
  if (key !== undefined && (typeof key !== 'string' || !KEY.test(key))) {
    return new Error('key must be 1 to 128 letters, digits, ".", "_", ":" or "-"')
  }
  const base = { failedSite, mode: mode ?? 'failover', ...(key === undefined ? {} : { key }) }
  if (skillGroups === undefined) return base
  if (
    !Array.isArray(skillGroups) ||
    skillGroups.length === 0 ||
    skillGroups.length > MAX_SKILL_GROUPS ||
    !skillGroups.every((group): group is string => typeof group === 'string' && group.length > 0 && group.length <= MAX_NAME)
  ) {
    return new Error(`skillGroups must be a list of 1 to ${MAX_SKILL_GROUPS} SkillGroup names`)
  }
  return { ...base, skillGroups: [...new Set(skillGroups)] }
}
