// Applies one object to a site's Redis: read what is stored, plan (pure), then write the plan in one
// Lua script that first checks nothing it read has changed meanwhile (else read and plan again).
// Each write announces itself on PROJECTION_CHANNEL in the same script.
import type { Redis } from 'ioredis'
import type { AgentSeat, PhoneMAC, Site, SkillGroup } from '../../../crds/types.ts'
import { PROJECTION_CHANNEL } from '../keys.ts'
import { LuaScript } from '../redis-script.ts'
import { membershipKey, planProjection, pointerKeysToRead, type ProjectionPlan, type StoredState } from './plan.ts'
import {
  agentSeatProjection,
  agentSeatTarget,
  phoneMACProjection,
  phoneMACTarget,
  siteProjection,
  siteTarget,
  skillGroupProjection,
  skillGroupTarget,
  type EntryValue,
  type ProjectedObject,
  type SipCredentials,
} from './records.ts'

const MAX_ATTEMPTS = 5

// ARGV[1]: JSON {expect: {entries, pointers, members}, plan, channel, change}. Returns 0 when what was
// read has changed (nothing written), 1 when the plan was written.
const applyScript = new LuaScript(`
local p = cjson.decode(ARGV[1])
for _, e in ipairs(p.expect.entries) do
  if e.type == 'hash' then
    local current = redis.call('HGETALL', e.key)
    if #current / 2 ~= e.count then return 0 end
    for i = 1, #current, 2 do
      if e.fields[current[i]] ~= current[i + 1] then return 0 end
    end
  else
    local current = redis.call('GET', e.key)
    if e.absent then
      if current then return 0 end
    elseif current ~= e.value then return 0 end
  end
end
for _, pointer in ipairs(p.expect.pointers) do
  local current = redis.call('GET', pointer.key)
  if pointer.absent then
    if current then return 0 end
  elseif current ~= pointer.value then return 0 end
end
for _, m in ipairs(p.expect.members) do
  if redis.call('SISMEMBER', m.key, m.member) ~= m.is then return 0 end
end
for _, item in ipairs(p.plan.put) do
  redis.call('DEL', item.key)
  if item.value.type == 'hash' then
    for field, value in pairs(item.value.fields) do redis.call('HSET', item.key, field, value) end
  else
    redis.call('SET', item.key, item.value.value)
  end
end
for _, key in ipairs(p.plan.del) do redis.call('DEL', key) end
for _, pointer in ipairs(p.plan.point) do redis.call('SET', pointer.key, pointer.value) end
for _, pointer in ipairs(p.plan.unpoint) do
  if redis.call('GET', pointer.key) == pointer.value then redis.call('DEL', pointer.key) end
end
for _, m in ipairs(p.plan.sadd) do redis.call('SADD', m.key, m.member) end
for _, m in ipairs(p.plan.srem) do redis.call('SREM', m.key, m.member) end
redis.call('PUBLISH', p.channel, p.change)
return 1
`)

export interface ApplyResult {
  /** The writes made; null when Redis already matched. */
  plan: ProjectionPlan | null
}

async function readStoredState(redis: Redis, target: ProjectedObject): Promise<StoredState> {
  const read = redis.pipeline()
  for (const entry of target.entries) {
    if (entry.type === 'hash') read.hgetall(entry.key)
    else read.get(entry.key)
  }
  for (const { key, member } of target.memberships) read.sismember(key, member)
  const replies = (await read.exec()) ?? []
  const entries = new Map<string, EntryValue>()
  target.entries.forEach((entry, index) => {
    const [error, value] = replies[index] ?? [new Error('no reply')]
    if (error) throw error
    if (entry.type === 'hash' && value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
      entries.set(entry.key, { type: 'hash', fields: value as Record<string, string> })
    } else if (entry.type === 'string' && typeof value === 'string') {
      entries.set(entry.key, { type: 'string', value })
    }
  })
  const members = new Map<string, boolean>()
  target.memberships.forEach(({ key, member }, index) => {
    const [error, value] = replies[target.entries.length + index] ?? [new Error('no reply')]
    if (error) throw error
    members.set(membershipKey(key, member), value === 1)
  })
  const pointerKeys = pointerKeysToRead(target, entries)
  const values = pointerKeys.length === 0 ? [] : await redis.mget(...pointerKeys)
  const pointers = new Map(pointerKeys.map((key, index) => [key, values[index] ?? null]))
  return { entries, pointers, members }
}

function expectations(target: ProjectedObject, snapshot: StoredState) {
  return {
    entries: target.entries.map(({ key, type }) => {
      const value = snapshot.entries.get(key)
      if (type === 'hash') {
        const fields = value?.type === 'hash' ? value.fields : {}
        return { key, type, fields, count: Object.keys(fields).length }
      }
      return value?.type === 'string' ? { key, type, value: value.value } : { key, type, absent: true }
    }),
    pointers: [...snapshot.pointers].map(([key, value]) => (value === null ? { key, absent: true } : { key, value })),
    members: target.memberships.map(({ key, member }) => ({ key, member, is: snapshot.members.get(membershipKey(key, member)) ? 1 : 0 })),
  }
}

/** Brings Redis in step with one projected object (or removes it when it has no values). */
export async function applyProjection(redis: Redis, target: ProjectedObject): Promise<ApplyResult> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const snapshot = await readStoredState(redis, target)
    const plan = planProjection(target, snapshot)
    if (plan === null) return { plan }
    const payload = JSON.stringify({
      expect: expectations(target, snapshot),
      plan,
      channel: PROJECTION_CHANNEL,
      change: JSON.stringify(plan.change),
    })
    if ((await applyScript.run(redis, [], [payload])) === 1) return { plan }
  }
  throw new Error(`projection of ${target.kind} ${target.name}: Redis kept changing underneath (${MAX_ATTEMPTS} attempts)`)
}

export const applyAgentSeat = (redis: Redis, seat: AgentSeat) => applyProjection(redis, agentSeatProjection(seat))
export const removeAgentSeat = (redis: Redis, agentId: string) => applyProjection(redis, agentSeatTarget(agentId))
export const applyPhoneMAC = (redis: Redis, phone: PhoneMAC, credentials?: SipCredentials) =>
  applyProjection(redis, phoneMACProjection(phone, credentials))
export const removePhoneMAC = (redis: Redis, mac: string) => applyProjection(redis, phoneMACTarget(mac))
export const applySkillGroup = (redis: Redis, group: SkillGroup) => applyProjection(redis, skillGroupProjection(group))
export const removeSkillGroup = (redis: Redis, name: string) => applyProjection(redis, skillGroupTarget(name))
export const applySite = (redis: Redis, site: Site) => applyProjection(redis, siteProjection(site))
export const removeSite = (redis: Redis, name: string) => applyProjection(redis, siteTarget(name))
