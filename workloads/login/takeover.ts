// Takeover of a peer site's agents: every replica of this login service tells the standby connections
// it holds to sign in here, and each re-login's time (from the takeover's start) is recorded in Redis
// for the timeline. Modes (the agent client carries them out): failover — follow only if the own site
// is lost, else decline (counted here); drain — move after the current call; fence — move now.
// skillGroups limits the takeover to agents whose AgentSeat has one of those groups.
import { randomUUID } from 'node:crypto'
import { projectionKeys } from '../lib/keys.ts'
import { percentiles, type Percentiles } from '../lib/percentiles.ts'
import type { TakeoverMode } from '../lib/protocol.ts'
import type { LoginContext } from './context.ts'
import type { ConnectionHub } from './hub.ts'
import { TAKEOVER_MODES, type TakeoverRequest } from './takeover-request.ts'

const KEEP_SECONDS = 7 * 24 * 3600

export interface TakeoverReport {
  id: string
  site: string
  failedSite: string
  mode: TakeoverMode
  /** Present when the takeover was limited to these groups' agents. */
  skillGroups?: string[]
  startedAt: number
  /** Standby connections told to sign in here. */
  instructed: number
  relogged: number
  /** Agents that did not follow a failover takeover because their own site still answered. */
  declined: number
  /** Their agent ids, sorted: they stayed at a site that still serves them (a partition), so they are not lost. */
  declinedAgents: string[]
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
  await ctx.redis
    .multi()
    .hset(key, {
      failedSite: request.failedSite,
      mode: request.mode,
      ...(request.skillGroups === undefined ? {} : { skillGroups: JSON.stringify(request.skillGroups) }),
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

/** The agents among these whose AgentSeat (in this site's projection) has one of the groups. */
async function membersOf(ctx: LoginContext, agentIds: readonly string[], groups: readonly string[]): Promise<Set<string>> {
  const wanted = new Set(groups)
  const pipeline = ctx.redis.pipeline()
  for (const agentId of agentIds) pipeline.hget(projectionKeys.agentSeat(agentId), 'skills')
  const answers = (await pipeline.exec()) ?? []
  const members = new Set<string>()
  agentIds.forEach((agentId, index) => {
    const skills = answers[index]?.[1]
    if (typeof skills !== 'string') return
    const parsed = JSON.parse(skills) as { skillGroup?: unknown }[]
    if (parsed.some((skill) => typeof skill.skillGroup === 'string' && wanted.has(skill.skillGroup))) members.add(agentId)
  })
  return members
}

/** Runs on every replica when a takeover starts. */
export async function instructStandbys(ctx: LoginContext, hub: ConnectionHub, announcement: TakeoverAnnouncement): Promise<void> {
  const { id, failedSite, mode, skillGroups } = announcement
  const members = skillGroups === undefined ? undefined : await membersOf(ctx, hub.standbyAgents(failedSite), skillGroups)
  const reason =
    mode === 'failover' ? `site ${failedSite} failed` : `planned switchover (${mode}) from site ${failedSite} to site ${ctx.site}`
  const told = hub.instructRelogin(
    failedSite,
    { reason, site: ctx.site, url: ctx.publicUrl, takeoverId: id, mode },
    members === undefined ? undefined : (agentId) => members.has(agentId),
  )
  if (told > 0) await ctx.redis.hincrby(ctx.keys.takeover(id), 'instructed', told)
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

export async function takeoverReport(ctx: LoginContext, id: string): Promise<TakeoverReport | null> {
  const [meta, relogins, declined] = await Promise.all([
    ctx.redis.hgetall(ctx.keys.takeover(id)),
    ctx.redis.hgetall(ctx.keys.takeoverRelogins(id)),
    ctx.redis.hkeys(ctx.keys.takeoverDeclines(id)),
  ])
  if (meta.failedSite === undefined) return null
  const agents = Object.fromEntries(Object.entries(relogins).map(([agentId, ms]) => [agentId, Number(ms)]))
  return {
    id,
    site: ctx.site,
    failedSite: meta.failedSite,
    mode: modeOf(meta.mode),
    ...(meta.skillGroups === undefined ? {} : { skillGroups: JSON.parse(meta.skillGroups) as string[] }),
    startedAt: Number(meta.startedAt),
    instructed: Number(meta.instructed ?? 0),
    relogged: Object.keys(agents).length,
    declined: declined.length,
    declinedAgents: declined.sort(),
    reloginMilliseconds: percentiles(Object.values(agents)),
    agents,
  }
}
