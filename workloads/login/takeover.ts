// Takeover of a failed peer site's agents: every replica of this login service tells the standby
// connections it holds to sign in here, and each re-login's time (from the takeover's start) is
// recorded in Redis for the failover timeline.
import { randomUUID } from 'node:crypto'
import { percentiles, type Percentiles } from '../lib/percentiles.ts'
import type { LoginContext } from './context.ts'
import type { ConnectionHub } from './hub.ts'

const KEEP_SECONDS = 7 * 24 * 3600

export interface TakeoverReport {
  id: string
  site: string
  failedSite: string
  startedAt: number
  /** Standby connections told to sign in here. */
  instructed: number
  relogged: number
  reloginMilliseconds: Percentiles
  agents: Record<string, number>
}

export async function startTakeover(ctx: LoginContext, failedSite: string): Promise<{ id: string; failedSite: string; startedAt: number }> {
  const id = randomUUID()
  const startedAt = Date.now()
  const key = ctx.keys.takeover(id)
  await ctx.redis
    .multi()
    .hset(key, { failedSite, startedAt: String(startedAt), instructed: '0' })
    .expire(key, KEEP_SECONDS)
    .publish(ctx.keys.takeovers(), JSON.stringify({ id, failedSite }))
    .exec()
  return { id, failedSite, startedAt }
}

/** Runs on every replica when a takeover starts. */
export async function instructStandbys(ctx: LoginContext, hub: ConnectionHub, id: string, failedSite: string): Promise<void> {
  const told = hub.instructRelogin(failedSite, { reason: `site ${failedSite} failed`, site: ctx.site, url: ctx.publicUrl, takeoverId: id })
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

export async function takeoverReport(ctx: LoginContext, id: string): Promise<TakeoverReport | null> {
  const [meta, relogins] = await Promise.all([ctx.redis.hgetall(ctx.keys.takeover(id)), ctx.redis.hgetall(ctx.keys.takeoverRelogins(id))])
  if (meta.failedSite === undefined) return null
  const agents = Object.fromEntries(Object.entries(relogins).map(([agentId, ms]) => [agentId, Number(ms)]))
  return {
    id,
    site: ctx.site,
    failedSite: meta.failedSite,
    startedAt: Number(meta.startedAt),
    instructed: Number(meta.instructed ?? 0),
    relogged: Object.keys(agents).length,
    reloginMilliseconds: percentiles(Object.values(agents)),
    agents,
  }
}
