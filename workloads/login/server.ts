// Builds and starts a login service for one site: fastify + the agent WebSocket + its Redis, the
// subscriptions that link its replicas (ended sessions, takeovers) and the sweeper of silent sessions.
import websocket from '@fastify/websocket'
import Fastify, { LogController, type FastifyInstance, type FastifyListenOptions } from 'fastify'
import { Redis } from 'ioredis'
import type { IdentityProvider } from '../lib/auth/identity.ts'
import { createTokenSigner } from '../lib/auth/tokens.ts'
import { projectionKeys } from '../lib/keys.ts'
import { decodeSitePools } from '../lib/projection/decode.ts'
import type { SignedOutReason } from '../lib/protocol.ts'
import { createAcdNotifier } from './acd.ts'
import { registerAgentSocket } from './agent-socket.ts'
import { AttemptCounters } from './attempt-counters.ts'
import { defaultSignInLimits, type SignInLimits } from './attempt-limits.ts'
import type { LoginContext } from './context.ts'
import { ConnectionHub } from './hub.ts'
import { loginKeys } from './keys.ts'
import { createLoginMetrics } from './metrics.ts'
import { registerRoutes } from './routes.ts'
import { SessionStore } from './session-store.ts'
import { instructStandbys, standAgain, type TakeoverAnnouncement } from './takeover.ts'
import { parseTakeoverRequest } from './takeover-request.ts'

export interface LoginServiceOptions {
  site: string
  redisUrl: string
  host: string
  /** 0: any free port. */
  port: number
  /** Several replicas on one host share the port (SO_REUSEPORT); the kernel spreads new connections over them. */
  reusePort?: boolean
  /** Where agents reach this service (sent in re-login instructions); defaults to the listen address. */
  publicUrl?: string
  tokenSecret: Uint8Array
  tokenTtlSeconds: number
  /** A session without heartbeats for this long ends and releases its lease. */
  sessionTimeoutMs: number
  sweepIntervalMs: number
  acdUrl?: string
  identity: IdentityProvider
  /** When password sign-ins are refused for too many attempts; default defaultSignInLimits. */
  signInLimits?: SignInLimits
  logLevel?: string
}

export interface LoginService {
  url: string
  app: FastifyInstance
  context: LoginContext
  close(): Promise<void>
}

const LISTEN_BACKLOG = 8192

export const defaultLoginOptions = { tokenTtlSeconds: 900, sessionTimeoutMs: 15_000, sweepIntervalMs: 1_000 } as const

function parseForm(_request: unknown, body: string, done: (error: Error | null, body?: unknown) => void) {
  done(null, Object.fromEntries(new URLSearchParams(body)))
}

export async function startLoginService(options: LoginServiceOptions): Promise<LoginService> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'silent' },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, parseForm)
  await app.register(websocket, { options: { maxPayload: 16 * 1024, perMessageDeflate: false } })

  const redis = new Redis(options.redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 2 })
  const subscriber = redis.duplicate({ enableAutoPipelining: false })
  // ioredis reconnects by itself; without a listener each failed attempt is an "unhandled error" on stderr.
  const redisHost = new URL(options.redisUrl).host // not the URL: it may hold a password
  const redisDown = (error: Error) => app.log.warn(`Redis at ${redisHost}: ${error.message}`)
  redis.on('error', redisDown)
  subscriber.on('error', redisDown)
  const keys = loginKeys(options.site)
  const store = new SessionStore(redis, keys, options.sessionTimeoutMs)
  const hub = new ConnectionHub({ onOfferFailed: (err: unknown) => app.log.warn({ err }, 'a standing takeover instruction failed') })
  const warn = (message: string) => app.log.warn(message)
  const context: LoginContext = {
    site: options.site,
    publicUrl: options.publicUrl ?? '',
    redis,
    keys,
    store,
    tokens: createTokenSigner({ secret: options.tokenSecret, ttlSeconds: options.tokenTtlSeconds }),
    identity: options.identity,
    acd: createAcdNotifier(options.acdUrl, warn),
    sessionTimeoutMs: options.sessionTimeoutMs,
    signInLimits: options.signInLimits ?? defaultSignInLimits,
    attempts: new AttemptCounters(redis, keys),
    metrics: createLoginMetrics(options.site, {
      activeSessions: () => store.activeSessions(),
      leaseUsage: async () => store.leaseUsage(decodeSitePools(await redis.get(projectionKeys.sitePools(options.site))) ?? []),
      connections: () => hub.counts(),
    }),
  }

  subscriber.on('message', (channel: string, text: string) => {
    try {
      const message = JSON.parse(text) as {
        agentId?: string
        sessionId?: string
        reason?: SignedOutReason
      }
      if (channel === keys.events() && message.agentId && message.sessionId && message.reason) {
        hub.endSession(message.agentId, message.sessionId, message.reason)
      } else if (channel === keys.takeovers()) {
        const { id, ...request } = JSON.parse(text) as Partial<TakeoverAnnouncement>
        const takeover = parseTakeoverRequest(request, options.site)
        if (typeof id !== 'string' || takeover instanceof Error) {
          app.log.error({ channel }, `unreadable takeover announcement: ${takeover instanceof Error ? takeover.message : 'no id'}`)
          return
        }
        instructStandbys(context, hub, { id, ...takeover }).catch((error: unknown) => app.log.error({ err: error }, 'takeover'))
      }
    } catch (error) {
      app.log.error({ err: error, channel }, 'unreadable message on a login channel')
    }
  })
  await subscriber.subscribe(keys.events(), keys.takeovers())

  let sweeping = false
  const sweeper = setInterval(() => {
    if (sweeping) return
    sweeping = true
    store
      .sweep()
      .then((expired) => {
        context.metrics.expired.inc(expired.length)
        for (const agentId of expired) context.acd.signedOut(agentId)
      })
      .catch((error: unknown) => app.log.warn({ err: error }, 'sweeping silent sessions failed'))
      .finally(() => (sweeping = false))
  }, options.sweepIntervalMs)

  registerRoutes(app, context)
  registerAgentSocket(app, context, hub)

  // fastify hands these to net.Server.listen, which knows reusePort (its own types do not yet). The deep
  // accept queue is for re-login storms: thousands of agents connect at once after a takeover, and a
  // connection the full queue drops is retried by TCP only after 1 s, then 3 s (Node's default is 511;
  // the kernel caps it at net.core.somaxconn).
  const listenOptions: FastifyListenOptions & { reusePort?: boolean } = {
    host: options.host,
    port: options.port,
    backlog: LISTEN_BACKLOG,
    reusePort: options.reusePort ?? false,
  }
  const address = await app.listen(listenOptions)
  const url = address.replace('0.0.0.0', '127.0.0.1')
  context.publicUrl = options.publicUrl ?? url
  // After the URL is known: the instructions name it. Standby connections already here are told at once.
  await standAgain(context, hub)
  return {
    url,
    app,
    context,
    async close() {
      clearInterval(sweeper)
      hub.closeAll()
      await app.close()
      subscriber.disconnect()
      redis.disconnect()
    },
  }
}
