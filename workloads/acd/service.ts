// Wires the ACD together: Redis (state and the projected SkillGroups), the engine, the HTTP API and the
// ticker that drives timed work. Used by main.ts and by the tests, which start and restart it for real.
import { Redis } from 'ioredis'
import { AcdEngine, type EngineOptions } from './engine.ts'
import { createAcdMetrics } from './metrics.ts'
import { SkillGroupProjection } from './projection.ts'
import { buildAcdServer, InstructionWaiters, type Readiness } from './server.ts'
import { DEFAULT_SERVICE_LEVEL_WINDOW_MS } from './service-level.ts'
import { AcdStore } from './store.ts'

export interface AcdConfig {
  site: string
  redisUrl: string
  host: string
  port: number
  /** How often ring timeouts, wrap-up, escalation and overflow are checked. */
  tickMilliseconds?: number
  serviceLevelWindowMilliseconds?: number
  reservationGraceMilliseconds?: number
  logger?: boolean
}

/** A readiness check gives up on Redis after this long (the kubelet's probe waits 2 s). */
const READY_TIMEOUT_MS = 1500

function withinReadyTimeout<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

export interface RunningAcd {
  url: string
  port: number
  engine: AcdEngine
  close(): Promise<void>
}

export async function startAcd(config: AcdConfig): Promise<RunningAcd> {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 })
  const subscriber = redis.duplicate()
  // ioredis reconnects by itself; without a listener each failed attempt is an "unhandled error" on stderr.
  // The host only: the URL may hold the password.
  const redisDown = (error: Error) => app.log.warn(`Redis at ${new URL(config.redisUrl).host}: ${error.message}`)
  redis.on('error', redisDown)
  subscriber.on('error', redisDown)
  const windowMs = config.serviceLevelWindowMilliseconds ?? DEFAULT_SERVICE_LEVEL_WINDOW_MS
  const instructions = new InstructionWaiters()
  let flushSoon: () => void = () => undefined
  const options: EngineOptions = {
    site: config.site,
    serviceLevelWindowMs: windowMs,
    reservationGraceMs: config.reservationGraceMilliseconds,
    onInstruction: (call) => instructions.notify(call.callId),
    onChanged: () => flushSoon(),
    onOutcome: (skillGroup, outcome) => metrics.recordOutcome(skillGroup, outcome),
  }
  const engine = new AcdEngine(options)
  const metrics = createAcdMetrics(config.site, () => engine)
  const store = new AcdStore(redis, engine, windowMs, (error) => app.log.error(`writing ACD state to Redis failed: ${String(error)}`))
  flushSoon = () => void store.flush()
  const projection = new SkillGroupProjection(redis, subscriber, engine, { warn: (message) => app.log.warn(message) })
  // Ready when its Redis answers and every projected SkillGroup is loaded (read again here if a reload
  // after a reconnect failed), so the login service and the CTI bridge are sent only to an ACD that can decide.
  const readiness = async (): Promise<Readiness> => {
    try {
      await withinReadyTimeout('Redis', redis.ping())
      if (!projection.loaded) await withinReadyTimeout('loading the SkillGroups from Redis', projection.reloadAll())
      return { ready: true, skillGroups: engine.skillGroupNames().length }
    } catch (error) {
      return { ready: false, reason: error instanceof Error ? error.message : String(error) }
    }
  }
  const app = buildAcdServer({ engine, store, metrics, projection, instructions, readiness, logger: config.logger })

  await projection.start()
  engine.restore(await store.load())
  await store.flush()
  const ticker = setInterval(() => {
    engine.tick()
    void store.flush()
  }, config.tickMilliseconds ?? 250)
  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  return {
    url: `http://${config.host}:${port}`,
    port,
    engine,
    async close() {
      clearInterval(ticker)
      await app.close()
      await engine.settled()
      await store.flush()
      subscriber.disconnect()
      await redis.quit()
    },
  }
}
