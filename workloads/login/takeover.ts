// Takeover of a peer site's agents: every replica of this login service tells the standby connections
// it holds to sign in here, and each re-login's time (from the takeover's start) is recorded in Redis
// for the timeline. Modes (the agent client carries them out): failover — follow only if the own site
// is lost, else decline (counted here); drain — move after the current call; fence — move now.
// skillGroups limits the takeover to agents whose AgentSeat has one of those groups, homeSite to those
// homed there (a failback: only the recovered site's own agents go home). With keepInstructingSeconds the
// takeover stands that long on every replica, a replica started meanwhile included: standby connections
// that arrive later are told too. Each agent counts once as instructed, however often it is told.
import { randomUUID } from 'node:crypto'
import { projectionKeys } from '../lib/keys.ts'
import { percentiles, type Percentiles } from '../lib/percentiles.ts'
import type { TakeoverMode } from '../lib/protocol.ts'
import type { LoginContext } from './context.ts'
import type { ConnectionHub } from './hub.ts'
import { selectsAgent, TAKEOVER_MODES, type SeatFacts, type TakeoverRequest } from './takeover-request.ts'

const KEEP_SECONDS = 7 * 24 * 3600

export interface TakeoverReport {
  id: string
  site: string
  failedSite: string
  mode: TakeoverMode
  /** Present when the takeover was limited to these groups' agents. */
  skillGroups?: string[]
  /** Present when the takeover was limited to the agents homed at this site. */
  homeSite?: string
  startedAt: number
  /** Until when (ms since the epoch) standby connections that arrive are told too; absent: only those there at the start. */
  keepInstructingUntil?: number
  /** Agents told to sign in here (each once, however often it was told). */
  instructed: number
  relogged: number
  /** Agents that did not follow a failover takeover because their own site still answered. */
  declined: number
  /** Their agent ids, sorted: they stayed at a site that still serves them (a partition), so they are not lost. */
  declinedAgents: string[]
  /** Agents told that have neither signed in here nor declined yet (e.g. a drain waiting for the end of a call), sorted. */
  pendingAgents: string[]
  reloginMilliseconds: Percentiles
  agents: Record<string, number>
}

/** What is published to every replica when a takeover starts. */
export interface TakeoverAnnouncement extends TakeoverRequest {
  id: string
}

export async function startTakeover(
  ctx: LoginContext,
  request: TakeoverRequest,
): Promise<{ id: string; failedSite: string; mode: TakeoverMode; startedAt: number }> {
  const id = randomUUID()
  const startedAt = Date.now()
  if (request.key !== undefined) {
    const claimed = await ctx.redis.set(ctx.keys.takeoverByKey(request.key), id, 'EX', KEEP_SECONDS, 'NX')
    if (claimed === null) return startedEarlier(ctx, request, request.key)
  }
  const key = ctx.keys.takeover(id)
  const announcement: TakeoverAnnouncement = { id, ...request }
  const standing = ctx.redis.multi()
  if (request.keepInstructingSeconds) {
    standing
      .zremrangebyscore(ctx.keys.standingTakeovers(), '-inf', startedAt)
      .zadd(ctx.keys.standingTakeovers(), startedAt + request.keepInstructingSeconds * 1000, id)
  }
  await standing
    .hset(key, {
      failedSite: request.failedSite,
      mode: request.mode,
      ...(request.skillGroups === undefined ? {} : { skillGroups: JSON.stringify(request.skillGroups) }),
      ...(request.homeSite === undefined ? {} : { homeSite: request.homeSite }),
      ...(request.keepInstructingSeconds ? { keepInstructingUntil: String(startedAt + request.keepInstructingSeconds * 1000) } : {}),
      startedAt: String(startedAt),
      instructed: '0',
    })
    .expire(key, KEEP_SECONDS)
    .publish(ctx.keys.takeovers(), JSON.stringify(announcement))
    .exec()
  return { id, failedSite: request.failedSite, mode: request.mode, startedAt }
}

/** The takeover a request with the same key started (its hash may still be being written: then now). */
async function startedEarlier(
  ctx: LoginContext,
  request: TakeoverRequest,
  key: string,
): Promise<{ id: string; failedSite: string; mode: TakeoverMode; startedAt: number }> {
  const id = await ctx.redis.get(ctx.keys.takeoverByKey(key))
  if (id === null) throw new Error(`takeover key ${key} expired while it was being read`)
  const startedAt = await ctx.redis.hget(ctx.keys.takeover(id), 'startedAt')
  return { id, failedSite: request.failedSite, mode: request.mode, startedAt: startedAt === null ? Date.now() : Number(startedAt) }
}

/** The homeSite and skill groups of each agent's AgentSeat in this site's projection (null: not projected). */
async function seatFacts(ctx: LoginContext, agentIds: readonly string[]): Promise<(SeatFacts | null)[]> {
  const pipeline = ctx.redis.pipeline()
  for (const agentId of agentIds) pipeline.hmget(projectionKeys.agentSeat(agentId), 'homeSite', 'skills')
  const answers = (await pipeline.exec()) ?? []
  return agentIds.map((_, index) => {
    const [homeSite, skills] = (answers[index]?.[1] ?? []) as (string | null)[]
    if (typeof homeSite !== 'string' || typeof skills !== 'string') return null
    const parsed = JSON.parse(skills) as { skillGroup?: unknown }[]
    return { homeSite, skillGroups: parsed.flatMap((skill) => (typeof skill.skillGroup === 'string' ? [skill.skillGroup] : [])) }
  })
}

/** Counts the agents told for the first time by this takeover. */
async function recordInstructed(ctx: LoginContext, id: string, agentIds: readonly string[], startedAt: number): Promise<void> {
  if (agentIds.length === 0) return
  const key = ctx.keys.takeoverInstructed(id)
  const at = String(Math.max(0, Date.now() - startedAt))
  const pipeline = ctx.redis.pipeline()
  for (const agentId of agentIds) pipeline.hsetnx(key, agentId, at)
  pipeline.expire(key, KEEP_SECONDS)
  const answers = (await pipeline.exec()) ?? []
  const fresh = answers.slice(0, agentIds.length).filter(([error, added]) => error === null && added === 1).length
  if (fresh > 0) await ctx.redis.hincrby(ctx.keys.takeover(id), 'instructed', fresh)
}

/** Runs on every replica when a takeover starts: tells the standby connections here, and stands if asked to. */
export async function instructStandbys(ctx: LoginContext, hub: ConnectionHub, announcement: TakeoverAnnouncement): Promise<void> {
  const { id, failedSite, mode } = announcement
  const [storedStart, storedUntil] = await ctx.redis.hmget(ctx.keys.takeover(id), 'startedAt', 'keepInstructingUntil')
  const startedAt = storedStart === null ? Date.now() : Number(storedStart)
  const filtered = announcement.skillGroups !== undefined || announcement.homeSite !== undefined
  const standbys = hub.standbyAgents(failedSite)
  const facts = filtered ? await seatFacts(ctx, standbys) : []
  const selected = filtered ? new Set(standbys.filter((_, index) => selectsAgent(announcement, facts[index] ?? null))) : undefined
  const reason =
    mode === 'failover' ? `site ${failedSite} failed` : `planned switchover (${mode}) from site ${failedSite} to site ${ctx.site}`
  const instruction = { reason, site: ctx.site, url: ctx.publicUrl, takeoverId: id, mode }
  if (storedUntil !== null) {
    hub.stand({
      failedSite,
      until: Number(storedUntil),
      instruction,
      offer: async (agentId) => {
        const [seat] = await seatFacts(ctx, [agentId])
        if (!selectsAgent(announcement, seat ?? null)) return false
        return (await ctx.redis.hexists(ctx.keys.takeoverRelogins(id), agentId)) === 0
      },
      told: (agentId) => recordInstructed(ctx, id, [agentId], startedAt),
    })
  }
  const told = hub.instructRelogin(failedSite, instruction, selected === undefined ? undefined : (agentId) => selected.has(agentId))
  await recordInstructed(ctx, id, told, startedAt)
}

/** On a replica's start: the takeovers that still keep instructing (started before it ran) stand here too. */
export async function standAgain(ctx: LoginContext, hub: ConnectionHub): Promise<void> {
  const now = Date.now()
  const key = ctx.keys.standingTakeovers()
  await ctx.redis.zremrangebyscore(key, '-inf', now)
  for (const id of await ctx.redis.zrangebyscore(key, now, '+inf')) {
    const request = storedRequest(await ctx.redis.hgetall(ctx.keys.takeover(id)))
    if (request !== null) await instructStandbys(ctx, hub, { id, ...request })
  }
}

/** Records an agent's re-login for a takeover (its first one counts). */
export async function recordRelogin(ctx: LoginContext, id: string, agentId: string): Promise<void> {
  const startedAt = await ctx.redis.hget(ctx.keys.takeover(id), 'startedAt')
  if (startedAt === null) return
  const key = ctx.keys.takeoverRelogins(id)
  await ctx.redis
    .multi()
    .hsetnx(key, agentId, String(Date.now() - Number(startedAt)))
    .expire(key, KEEP_SECONDS)
    .exec()
}

/** Records that an agent declined a takeover (once per agent); unknown takeovers are ignored. */
export async function recordDecline(ctx: LoginContext, id: string, agentId: string, reason: string): Promise<void> {
  if ((await ctx.redis.exists(ctx.keys.takeover(id))) === 0) return
  const key = ctx.keys.takeoverDeclines(id)
  await ctx.redis.multi().hsetnx(key, agentId, reason).expire(key, KEEP_SECONDS).exec()
}

const modeOf = (stored: string | undefined): TakeoverMode => TAKEOVER_MODES.find((mode) => mode === stored) ?? 'failover'

/** Whom a takeover takes, as its hash keeps it; null when there is no such takeover. */
function storedRequest(meta: Record<string, string>): Pick<TakeoverRequest, 'failedSite' | 'mode' | 'skillGroups' | 'homeSite'> | null {
  if (meta.failedSite === undefined) return null
  return {
    failedSite: meta.failedSite,
    mode: modeOf(meta.mode),
    ...(meta.skillGroups === undefined ? {} : { skillGroups: JSON.parse(meta.skillGroups) as string[] }),
    ...(meta.homeSite === undefined ? {} : { homeSite: meta.homeSite }),
  }
}

export async function takeoverReport(ctx: LoginContext, id: string): Promise<TakeoverReport | null> {
  const [meta, relogins, declined, instructed] = await Promise.all([
    ctx.redis.hgetall(ctx.keys.takeover(id)),
    ctx.redis.hgetall(ctx.keys.takeoverRelogins(id)),
    ctx.redis.hkeys(ctx.keys.takeoverDeclines(id)),
    ctx.redis.hkeys(ctx.keys.takeoverInstructed(id)),
  ])
  const request = storedRequest(meta)
  if (request === null) return null
  const agents = Object.fromEntries(Object.entries(relogins).map(([agentId, ms]) => [agentId, Number(ms)]))
  const settled = new Set([...Object.keys(agents), ...declined])
  return {
    id,
    site: ctx.site,
    ...request,
    startedAt: Number(meta.startedAt),
    ...(meta.keepInstructingUntil === undefined ? {} : { keepInstructingUntil: Number(meta.keepInstructingUntil) }),
    instructed: Number(meta.instructed ?? 0),
    relogged: Object.keys(agents).length,
    declined: declined.length,
    declinedAgents: declined.sort(),
    pendingAgents: instructed.filter((agentId) => !settled.has(agentId)).sort(),
    reloginMilliseconds: percentiles(Object.values(agents)),
    agents,
  }
}
