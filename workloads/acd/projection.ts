// Keeps the engine's SkillGroups in step with what the operator projects into Redis: `cc:skillgroups`
// (names) and `cc:skillgroup:<name>` (JSON of the spec plus name and generation), with every change
// announced on the projection channel. A spec whose CEL rules do not compile is refused (the previous
// one stays in force) and reported by refused().
import type { Redis } from 'ioredis'
import { PROJECTION_CHANNEL, projectionKeys, type ProjectionChange } from '../lib/keys.ts'
import type { AcdEngine } from './engine.ts'
import type { SkillGroupSpec } from './model.ts'

export interface SkillGroupProjectionLog {
  warn(message: string): void
}

export class SkillGroupProjection {
  private readonly redis: Redis
  private readonly subscriber: Redis
  private readonly engine: AcdEngine
  private readonly log: SkillGroupProjectionLog
  private readonly refusals = new Map<string, string>()
  #loaded = false

  constructor(redis: Redis, subscriber: Redis, engine: AcdEngine, log: SkillGroupProjectionLog) {
    this.redis = redis
    this.subscriber = subscriber
    this.engine = engine
    this.log = log
  }

  /** Every projected SkillGroup has been read since the last (re)connect: the ACD decides with the groups the operator projected. */
  get loaded(): boolean {
    return this.#loaded
  }

  /** Groups whose current projected spec was refused, with why. */
  refused(): Record<string, string> {
    return Object.fromEntries(this.refusals)
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== PROJECTION_CHANNEL) return
      const change = JSON.parse(message) as ProjectionChange
      if (change.kind === 'SkillGroup') void this.reload(change.name).catch((error: unknown) => this.log.warn(String(error)))
    })
    // After a reconnect the subscription is renewed by ioredis, but changes made meanwhile were missed.
    this.subscriber.on('ready', () => void this.reloadAll().catch((error: unknown) => this.log.warn(String(error))))
    this.subscriber.on('close', () => (this.#loaded = false))
    await this.subscriber.subscribe(PROJECTION_CHANNEL)
    await this.reloadAll()
  }

  async reloadAll(): Promise<void> {
    const names = await this.redis.smembers(projectionKeys.skillGroupIndex())
    const known = new Set(names)
    for (const name of this.engine.skillGroupNames()) if (!known.has(name)) this.engine.deleteSkillGroup(name)
    for (const name of names) await this.reload(name)
    this.#loaded = true
  }

  async reload(name: string): Promise<void> {
    const json = await this.redis.get(projectionKeys.skillGroup(name))
    if (json === null) {
      this.engine.deleteSkillGroup(name)
      this.refusals.delete(name)
      return
    }
    const { generation, ...rest } = JSON.parse(json) as SkillGroupSpec & { name?: string; generation?: number }
    delete rest.name
    const result = this.engine.setSkillGroup(name, rest, generation ?? 0)
    if (result.ok) this.refusals.delete(name)
    else {
      this.refusals.set(name, result.message)
      this.log.warn(`refused ${result.message}`)
    }
  }
}
