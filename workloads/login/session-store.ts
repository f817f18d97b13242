// Sessions and operator-ID leases in the site's Redis, each change one Lua script (atomic): two
// concurrent sign-ins never get the same ID, and a failed sign-in leaves nothing behind.
// Leases work like DHCP: an ID is leased for the pool's leaseSeconds, renewed by heartbeats, released
// on sign-out or session expiry, and an expired lease is free for anyone (its key stays until reused).
// One session per agent: a later sign-in replaces the earlier one (which is told 'replaced'); it keeps
// the agent's operator ID when it leases from the same pool.
import type { Redis } from 'ioredis'
import { LuaScript } from '../lib/redis-script.ts'
import type { ProjectedPool } from '../lib/projection/decode.ts'
import type { SignedOutReason } from '../lib/protocol.ts'
import type { LoginKeys } from './keys.ts'

const DEFAULT_LEASE_SECONDS = 600
/** How long an ended session's ID is remembered, so its late heartbeats are not taken for a Redis restart. */
const ENDED_MEMORY_MS = 3_600_000

const common = `
local prefix = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function leases(pool) return prefix .. 'pool:' .. pool .. ':leases' end
local function owners(pool) return prefix .. 'pool:' .. pool .. ':owners' end
local function cursor(pool) return prefix .. 'pool:' .. pool .. ':cursor' end
local function session_key(agent) return prefix .. 'session:' .. agent end
local deadlines = prefix .. 'session-deadlines'
local function lease_free(pool, op, agent, now)
  local owner = redis.call('HGET', owners(pool), op)
  if not owner or owner == agent then return true end
  local expiry = redis.call('ZSCORE', leases(pool), op)
  return not expiry or tonumber(expiry) <= now
end
local function take(pool, op, agent, expiry)
  redis.call('HSET', owners(pool), op, agent)
  redis.call('ZADD', leases(pool), expiry, op)
end
local function release(pool, op, agent)
  if pool and op and redis.call('HGET', owners(pool), op) == agent then
    redis.call('HDEL', owners(pool), op)
    redis.call('ZREM', leases(pool), op)
  end
end
local function end_session(agent, sid, reason, ended_ms)
  redis.call('SET', prefix .. 'ended:' .. sid, reason, 'PX', ended_ms)
  redis.call('PUBLISH', prefix .. 'events', cjson.encode({agentId = agent, sessionId = sid, reason = reason}))
end
`

// ARGV: prefix, agentId, sessionId, session fields (JSON object), session timeout ms, candidate pools
// (JSON [{name, from, to, leaseSeconds}]), ended memory ms.
// Returns {'ok', operatorId, pool, leaseMs, replacedSessionId or ''} or {'exhausted'}.
const signInScript = new LuaScript(
  common +
    `
local agent, sid, timeout, ended_ms = ARGV[2], ARGV[3], tonumber(ARGV[5]), tonumber(ARGV[7])
local fields, pools = cjson.decode(ARGV[4]), cjson.decode(ARGV[6])
local now = now_ms()
local skey = session_key(agent)
local old = redis.call('HMGET', skey, 'sessionId', 'pool', 'operatorId')
local function allocate(p)
  -- Drop a few long-expired leases as we pass, to keep the pool's keys small.
  local stale = redis.call('ZRANGEBYSCORE', leases(p.name), '-inf', now, 'LIMIT', 0, 16)
  for _, op in ipairs(stale) do
    redis.call('ZREM', leases(p.name), op)
    redis.call('HDEL', owners(p.name), op)
  end
  local lease_ms = p.leaseSeconds * 1000
  if old[2] == p.name and old[3] and lease_free(p.name, old[3], agent, now) then
    take(p.name, old[3], agent, now + lease_ms)
    return tonumber(old[3])
  end
  local size = p.to - p.from + 1
  if redis.call('ZCOUNT', leases(p.name), '(' .. now, '+inf') >= size then return nil end
  local next_id = tonumber(redis.call('GET', cursor(p.name)) or p.from)
  if next_id < p.from or next_id > p.to then next_id = p.from end
  for _ = 1, size do
    local op = tostring(next_id)
    next_id = next_id + 1
    if next_id > p.to then next_id = p.from end
    if lease_free(p.name, op, agent, now) then
      redis.call('SET', cursor(p.name), next_id)
      take(p.name, op, agent, now + lease_ms)
      return tonumber(op)
    end
  end
  return nil
end
local chosen, operator_id
for _, p in ipairs(pools) do
  operator_id = allocate(p)
  if operator_id then chosen = p break end
end
if not operator_id then return {'exhausted'} end
local replaced = ''
if old[1] then
  if old[2] ~= chosen.name or tonumber(old[3]) ~= operator_id then release(old[2], old[3], agent) end
  end_session(agent, old[1], 'replaced', ended_ms)
  replaced = old[1]
end
local lease_ms = chosen.leaseSeconds * 1000
redis.call('DEL', skey)
redis.call('HSET', skey, 'sessionId', sid, 'pool', chosen.name, 'operatorId', operator_id, 'leaseMs', lease_ms, 'signedInAt', now)
for field, value in pairs(fields) do redis.call('HSET', skey, field, value) end
redis.call('ZADD', deadlines, now + timeout, agent)
return {'ok', operator_id, chosen.name, lease_ms, replaced}
`,
)

// ARGV: prefix, agentId, sessionId, session timeout ms, recovery (JSON {operatorId, pool, leaseMs, fields}).
// Returns {'ok'}, {'recovered'}, {'lease-lost'} or the reason the session ended: {'replaced'|'expired'|'signed-out'}.
const heartbeatScript = new LuaScript(
  common +
    `
local agent, sid, timeout = ARGV[2], ARGV[3], tonumber(ARGV[4])
local now = now_ms()
local skey = session_key(agent)
local current = redis.call('HMGET', skey, 'sessionId', 'pool', 'operatorId', 'leaseMs')
if current[1] and current[1] ~= sid then return {'replaced'} end
if current[1] then
  if not lease_free(current[2], current[3], agent, now) then return {'lease-lost'} end
  take(current[2], current[3], agent, now + tonumber(current[4]))
  redis.call('ZADD', deadlines, now + timeout, agent)
  return {'ok'}
end
local ended = redis.call('GET', prefix .. 'ended:' .. sid)
if ended then return {ended} end
-- Redis lost the session (restarted): re-create it from what the heartbeat's session token says.
local r = cjson.decode(ARGV[5])
local op = tostring(r.operatorId)
if not lease_free(r.pool, op, agent, now) then return {'lease-lost'} end
take(r.pool, op, agent, now + r.leaseMs)
redis.call('HSET', skey, 'sessionId', sid, 'pool', r.pool, 'operatorId', op, 'leaseMs', r.leaseMs, 'signedInAt', now)
for field, value in pairs(r.fields) do redis.call('HSET', skey, field, value) end
redis.call('ZADD', deadlines, now + timeout, agent)
return {'recovered'}
`,
)

// ARGV: prefix, agentId, sessionId, ended memory ms. Returns {'ok', operatorId, pool} or {'not-found'}.
const signOutScript = new LuaScript(
  common +
    `
local agent, sid, ended_ms = ARGV[2], ARGV[3], tonumber(ARGV[4])
local skey = session_key(agent)
local current = redis.call('HMGET', skey, 'sessionId', 'pool', 'operatorId')
if current[1] and current[1] ~= sid then return {'not-found'} end
if not redis.call('GET', prefix .. 'ended:' .. sid) then
  redis.call('SET', prefix .. 'ended:' .. sid, 'signed-out', 'PX', ended_ms)
end
if not current[1] then return {'not-found'} end
release(current[2], current[3], agent)
redis.call('DEL', skey)
redis.call('ZREM', deadlines, agent)
redis.call('PUBLISH', prefix .. 'events', cjson.encode({agentId = agent, sessionId = sid, reason = 'signed-out'}))
return {'ok', current[3], current[2]}
`,
)

// ARGV: prefix, batch size, ended memory ms. Ends sessions past their deadline; returns their agentIds.
const sweepScript = new LuaScript(
  common +
    `
local limit, ended_ms = tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', deadlines, '-inf', now, 'LIMIT', 0, limit)
for _, agent in ipairs(due) do
  local skey = session_key(agent)
  local current = redis.call('HMGET', skey, 'sessionId', 'pool', 'operatorId')
  release(current[2], current[3], agent)
  redis.call('DEL', skey)
  redis.call('ZREM', deadlines, agent)
  if current[1] then end_session(agent, current[1], 'expired', ended_ms) end
end
return due
`,
)

export interface SessionFields {
  extension: string
  pcHostName: string
  mac: string
}

export interface OpenedSession {
  operatorId: number
  pool: string
  leaseMs: number
  /** The session this one replaced, if the agent was signed in already. */
  replacedSessionId?: string
}

export type HeartbeatOutcome = 'ok' | 'recovered' | 'lease-lost' | Exclude<SignedOutReason, 'token-expired' | 'token-invalid'>

export interface LeasePoolUsage {
  pool: string
  size: number
  leased: number
}

const asStrings = (reply: unknown): string[] => (Array.isArray(reply) ? reply.map((item) => String(item)) : [])

export class SessionStore {
  private readonly redis: Redis
  private readonly keys: LoginKeys
  private readonly sessionTimeoutMs: number

  constructor(redis: Redis, keys: LoginKeys, sessionTimeoutMs: number) {
    this.redis = redis
    this.keys = keys
    this.sessionTimeoutMs = sessionTimeoutMs
  }

  /** Leases an ID from the first candidate pool that has one and opens the session; null: every pool is exhausted. */
  async open(agentId: string, sessionId: string, fields: SessionFields, pools: ProjectedPool[]): Promise<OpenedSession | null> {
    const reply = asStrings(
      await signInScript.run(
        this.redis,
        [],
        [this.keys.prefix, agentId, sessionId, JSON.stringify(fields), this.sessionTimeoutMs, JSON.stringify(pools), ENDED_MEMORY_MS],
      ),
    )
    if (reply[0] !== 'ok') return null
    const [, operatorId, pool, leaseMs, replaced] = reply
    return {
      operatorId: Number(operatorId),
      pool: pool ?? '',
      leaseMs: Number(leaseMs),
      ...(replaced ? { replacedSessionId: replaced } : {}),
    }
  }

  /** Renews the session and its lease, or re-creates both from the token's claims when Redis lost them. */
  async heartbeat(
    agentId: string,
    sessionId: string,
    recovery: { operatorId: number; pool: string; leaseMs: number; fields: SessionFields },
  ): Promise<HeartbeatOutcome> {
    const reply = asStrings(
      await heartbeatScript.run(this.redis, [], [this.keys.prefix, agentId, sessionId, this.sessionTimeoutMs, JSON.stringify(recovery)]),
    )
    return (reply[0] ?? 'lease-lost') as HeartbeatOutcome
  }

  /** Ends the session and releases its lease; false when there was no such session. */
  async close(agentId: string, sessionId: string): Promise<boolean> {
    const reply = asStrings(await signOutScript.run(this.redis, [], [this.keys.prefix, agentId, sessionId, ENDED_MEMORY_MS]))
    return reply[0] === 'ok'
  }

  /** Ends up to `limit` sessions whose heartbeats stopped; returns their agent IDs. */
  async sweep(limit = 500): Promise<string[]> {
    return asStrings(await sweepScript.run(this.redis, [], [this.keys.prefix, limit, ENDED_MEMORY_MS]))
  }

  async activeSessions(): Promise<number> {
    return this.redis.zcard(this.keys.deadlines())
  }

  async leaseUsage(pools: ProjectedPool[]): Promise<LeasePoolUsage[]> {
    const now = Date.now()
    return Promise.all(
      pools.map(async (pool) => ({
        pool: pool.name,
        size: pool.to - pool.from + 1,
        leased: await this.redis.zcount(this.keys.leases(pool.name), `(${now}`, '+inf'),
      })),
    )
  }

  /** Who holds an operator ID's lease now (null: nobody, or it expired). */
  async leaseHolder(pool: string, operatorId: number): Promise<string | null> {
    const [owner, expiry] = await Promise.all([
      this.redis.hget(this.keys.owners(pool), String(operatorId)),
      this.redis.zscore(this.keys.leases(pool), String(operatorId)),
    ])
    return owner !== null && expiry !== null && Number(expiry) > Date.now() ? owner : null
  }
}

export const defaultLeaseMs = DEFAULT_LEASE_SECONDS * 1000
