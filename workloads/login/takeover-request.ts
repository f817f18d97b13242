// Pure: the body of POST /v1/takeover, checked. Unknown fields are refused rather than ignored: a
// misspelt skillGroups would otherwise move every agent of the site. A `key` makes the request
// idempotent: a caller that did not hear the answer (an operator that died) asks again with the same key
// and gets the takeover already started, not a second one. `homeSite` limits it to the agents whose
// AgentSeat is homed there (a failback takes home only the recovered site's own agents), and
// `keepInstructingSeconds` makes it stand: a standby connection that (re)connects within that time is
// told too (a desktop whose standby backs off after an outage reconnects up to a minute later).
// selectsAgent is the pure rule of which agents a takeover moves.
import type { TakeoverMode } from '../lib/protocol.ts'

export const TAKEOVER_MODES: readonly TakeoverMode[] = ['failover', 'drain', 'fence']
const FIELDS = new Set(['failedSite', 'mode', 'skillGroups', 'key', 'homeSite', 'keepInstructingSeconds'])
const KEY = /^[A-Za-z0-9._:-]{1,128}$/
const MAX_SKILL_GROUPS = 256
const MAX_NAME = 253
export const MAX_KEEP_INSTRUCTING_SECONDS = 3600

export interface TakeoverRequest {
  failedSite: string
  mode: TakeoverMode
  /** Only agents whose AgentSeat has one of these groups; absent: every agent of failedSite. */
  skillGroups?: string[]
  /** Idempotency key: one takeover per key. */
  key?: string
  /** Only agents whose AgentSeat's homeSite is this site; absent: wherever they are homed. */
  homeSite?: string
  /** For this long after the start, a standby connection of a selected agent that (re)connects is told as well. */
  keepInstructingSeconds?: number
}

/** What a takeover needs to know of an agent's AgentSeat (from the site's projection); null: no such seat there. */
export interface SeatFacts {
  homeSite: string
  skillGroups: readonly string[]
}

/** Whether the takeover moves this agent: without a filter every agent of failedSite; with one, only a known seat that passes it. */
export function selectsAgent(request: Pick<TakeoverRequest, 'homeSite' | 'skillGroups'>, seat: SeatFacts | null): boolean {
  if (request.homeSite === undefined && request.skillGroups === undefined) return true
  if (seat === null) return false
  if (request.homeSite !== undefined && seat.homeSite !== request.homeSite) return false
  const groups = request.skillGroups
  return groups === undefined || seat.skillGroups.some((group) => groups.includes(group))
}

const isMode = (value: unknown): value is TakeoverMode => TAKEOVER_MODES.includes(value as TakeoverMode)

/** The request, or an Error whose message names the field that is wrong. */
export function parseTakeoverRequest(body: unknown, ownSite: string): TakeoverRequest | Error {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return new Error('the body must be a JSON object {failedSite, mode?, skillGroups?, key?, homeSite?, keepInstructingSeconds?}')
  }
  const fields = body as Record<string, unknown>
  const unknown = Object.keys(fields).filter((name) => !FIELDS.has(name))
  if (unknown.length > 0) {
    return new Error(
      `unknown field ${unknown.join(', ')}: a takeover takes failedSite, mode, skillGroups, key, homeSite and keepInstructingSeconds`,
    )
  }
  const { failedSite, mode, skillGroups, key, homeSite, keepInstructingSeconds } = fields
  if (typeof failedSite !== 'string' || failedSite.length === 0 || failedSite.length > MAX_NAME || failedSite === ownSite) {
    return new Error(`failedSite must name a peer site of ${ownSite}`)
  }
  if (mode !== undefined && !isMode(mode)) return new Error(`mode must be one of ${TAKEOVER_MODES.join(', ')}; got ${JSON.stringify(mode)}`)
  if (key !== undefined && (typeof key !== 'string' || !KEY.test(key))) {
    return new Error('key must be 1 to 128 letters, digits, ".", "_", ":" or "-"')
  }
  if (homeSite !== undefined && (typeof homeSite !== 'string' || homeSite.length === 0 || homeSite.length > MAX_NAME)) {
    return new Error('homeSite must name the site whose agents (by their AgentSeat homeSite) the takeover moves')
  }
  if (
    keepInstructingSeconds !== undefined &&
    (typeof keepInstructingSeconds !== 'number' ||
      !Number.isInteger(keepInstructingSeconds) ||
      keepInstructingSeconds < 0 ||
      keepInstructingSeconds > MAX_KEEP_INSTRUCTING_SECONDS)
  ) {
    return new Error(`keepInstructingSeconds must be a whole number of seconds from 0 to ${MAX_KEEP_INSTRUCTING_SECONDS}`)
  }
  const base = {
    failedSite,
    mode: mode ?? 'failover',
    ...(key === undefined ? {} : { key }),
    ...(homeSite === undefined ? {} : { homeSite }),
    ...(keepInstructingSeconds === undefined ? {} : { keepInstructingSeconds }),
  }
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
