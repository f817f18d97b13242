// Writes the engine's changes to Redis and reads them back after a restart. All live state (agents,
// calls with their reservations, round-robin positions, service-level outcomes, caller history) is in
// Redis; only indexes and timers are rebuilt in memory from it. Writes are batched in one MULTI per
// flush and flushes run one after another, so Redis sees changes in the order they happened.
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { AcdEngine, EngineChanges, RestoredState } from './engine.ts'
import { acdKeys } from './keys.ts'
import type { Agent, Call, CallerHistory } from './model.ts'
import type { Outcome } from './service-level.ts'

export const CALLER_HISTORY_TTL_SECONDS = 90 * 24 * 3600

function isEmpty(changes: EngineChanges): boolean {
  return (
    changes.agents.size === 0 &&
    changes.calls.size === 0 &&
    changes.outcomes.length === 0 &&
    changes.served.length === 0 &&
    changes.roundRobin.size === 0
  )
}

/** Later changes win; used to retry a batch that failed to write. */
function merge(earlier: EngineChanges, later: EngineChanges): EngineChanges {
  return {
    agents: new Map([...earlier.agents, ...later.agents]),
    calls: new Map([...earlier.calls, ...later.calls]),
    outcomes: [...earlier.outcomes, ...later.outcomes],
    served: [...earlier.served, ...later.served],
    roundRobin: new Map([...earlier.roundRobin, ...later.roundRobin]),
  }
}

function outcomeMember(outcome: Outcome): string {
  return `${outcome.kind}:${outcome.waitedMs}:${randomBytes(6).toString('hex')}`
}

function parseOutcome(member: string, score: string): Outcome | undefined {
  const [kind, waited] = member.split(':')
  if (kind !== 'answered' && kind !== 'abandoned' && kind !== 'overflowed') return undefined
  return { kind, waitedMs: Number(waited), at: Number(score) }
}

export class AcdStore {
  private readonly redis: Redis
  private readonly engine: AcdEngine
  private readonly windowMs: number
  private readonly onError: (error: unknown) => void
  private queue: Promise<void> = Promise.resolve()
  private failed: EngineChanges | undefined

  constructor(redis: Redis, engine: AcdEngine, windowMs: number, onError: (error: unknown) => void) {
    this.redis = redis
    this.engine = engine
    this.windowMs = windowMs
    this.onError = onError
  }

  /** Writes every change made so far; resolves once they are in Redis (or the write failed and will be retried). */
  flush(): Promise<void> {
    this.queue = this.queue.then(() => this.write())
    return this.queue
  }

  private async write(): Promise<void> {
    let changes = this.engine.takeChanges()
    if (this.failed !== undefined) {
      changes = merge(this.failed, changes)
      this.failed = undefined
    }
    if (isEmpty(changes)) return
    const multi = this.redis.multi()
    for (const [agentId, agent] of changes.agents) {
      if (agent === null) multi.del(acdKeys.agent(agentId)).srem(acdKeys.agents(), agentId)
      else multi.set(acdKeys.agent(agentId), JSON.stringify(agent)).sadd(acdKeys.agents(), agentId)
    }
    for (const [callId, call] of changes.calls) {
      if (call === null) multi.del(acdKeys.call(callId)).srem(acdKeys.calls(), callId)
      else multi.set(acdKeys.call(callId), JSON.stringify(call)).sadd(acdKeys.calls(), callId)
    }
    const now = Date.now()
    for (const { skillGroup, outcome } of changes.outcomes) {
      multi.zadd(acdKeys.outcomes(skillGroup), outcome.at, outcomeMember(outcome)).sadd(acdKeys.outcomeGroups(), skillGroup)
    }
    for (const skillGroup of new Set(changes.outcomes.map((entry) => entry.skillGroup))) {
      multi.zremrangebyscore(acdKeys.outcomes(skillGroup), '-inf', now - this.windowMs)
    }
    for (const { caller, agentId } of changes.served) {
      const key = acdKeys.caller(caller)
      multi.hset(key, 'last', agentId).hincrby(key, `n:${agentId}`, 1).expire(key, CALLER_HISTORY_TTL_SECONDS)
    }
    for (const [skillGroup, agentId] of changes.roundRobin) multi.hset(acdKeys.roundRobin(), skillGroup, agentId)
    try {
      await multi.exec()
    } catch (error) {
      this.failed = changes
      this.onError(error)
    }
  }

  async loadHistory(caller: string): Promise<CallerHistory> {
    const history: CallerHistory = { servedCounts: {} }
    if (caller === '') return history
    const fields = await this.redis.hgetall(acdKeys.caller(caller))
    for (const [field, value] of Object.entries(fields)) {
      if (field === 'last') history.lastAgentId = value
      else if (field.startsWith('n:')) history.servedCounts[field.slice(2)] = Number(value)
    }
    return history
  }

  async load(): Promise<RestoredState> {
    const [agentIds, callIds, roundRobin, outcomeGroups] = await Promise.all([
      this.redis.smembers(acdKeys.agents()),
      this.redis.smembers(acdKeys.calls()),
      this.redis.hgetall(acdKeys.roundRobin()),
      this.redis.smembers(acdKeys.outcomeGroups()),
    ])
    const agents = await this.readJson<Agent>(agentIds.map(acdKeys.agent))
    const calls = await this.readJson<Call>(callIds.map(acdKeys.call))
    const outcomes = new Map<string, Outcome[]>()
    const since = Date.now() - this.windowMs
    for (const skillGroup of outcomeGroups) {
      const flat = await this.redis.zrangebyscore(acdKeys.outcomes(skillGroup), since, '+inf', 'WITHSCORES')
      const list: Outcome[] = []
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const outcome = parseOutcome(flat[i] ?? '', flat[i + 1] ?? '0')
        if (outcome !== undefined) list.push(outcome)
      }
      outcomes.set(skillGroup, list)
    }
    return { agents, calls, roundRobin: new Map(Object.entries(roundRobin)), outcomes }
  }

  private async readJson<T>(keys: string[]): Promise<T[]> {
    if (keys.length === 0) return []
    const values = await this.redis.mget(...keys)
    return values.filter((value): value is string => value !== null).map((value) => JSON.parse(value) as T)
  }
}
