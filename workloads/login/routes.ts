// The login service's HTTP API: sign-in, token re-login, sign-out, takeover, the FreeSWITCH directory,
// the count of sessions, health and metrics.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { TokenError } from '../lib/auth/tokens.ts'
import { projectionKeys } from '../lib/keys.ts'
import { decodePhone } from '../lib/projection/decode.ts'
import type { LoginContext } from './context.ts'
import { directoryDocument, notFoundDocument } from './directory.ts'
import { SignInError, TooManyAttempts } from './errors.ts'
import { limitedPasswordSignIn } from './limited-signin.ts'
import { recordedSignIn } from './recorded-signin.ts'
import { startTakeover, takeoverReport } from './takeover.ts'
import { parseTakeoverRequest } from './takeover-request.ts'
import type { SignInResult } from '../lib/protocol.ts'
import { signInWithToken } from './signin.ts'

const READY_TIMEOUT_MS = 1_000

const bodyOf = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}

function refuse(reply: FastifyReply, error: SignInError) {
  if (error instanceof TooManyAttempts) void reply.header('retry-after', String(error.retryAfterSeconds))
  return reply.code(error.status).send(error.toJSON())
}

export function registerRoutes(app: FastifyInstance, ctx: LoginContext): void {
  const signIn = async (reply: FastifyReply, kind: 'password' | 'token', attempt: () => Promise<SignInResult>, takeoverId?: unknown) => {
    try {
      return await reply.send(await recordedSignIn(ctx, kind, attempt, takeoverId))
    } catch (error) {
      if (!(error instanceof SignInError)) throw error
      app.log.info({ reason: error.code }, error.message)
      return await refuse(reply, error)
    }
  }

  app.post('/v1/signin', (request, reply) => {
    const body = bodyOf(request.body)
    return signIn(reply, 'password', () => limitedPasswordSignIn(ctx, request.ip, body), body.takeoverId)
  })

  app.post('/v1/relogin', (request, reply) => {
    const body = bodyOf(request.body)
    const token = body.token
    if (typeof token !== 'string' || token.length === 0) {
      return refuse(reply, new SignInError('bad-request', 'token must be the session token of the site the agent was signed in at'))
    }
    return signIn(reply, 'token', () => signInWithToken(ctx, token), body.takeoverId)
  })

  app.post('/v1/signout', async (request, reply) => {
    const header = request.headers.authorization ?? ''
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : ''
    let claims
    try {
      claims = await ctx.tokens.verify(token)
    } catch (error) {
      if (error instanceof TokenError) return refuse(reply, new SignInError(error.code, error.message))
      throw error
    }
    if (claims.site !== ctx.site) {
      return refuse(reply, new SignInError('bad-request', `this session belongs to site ${claims.site}: sign out there`))
    }
    const ended = await ctx.store.close(claims.agentId, claims.sessionId)
    if (ended) ctx.acd.signedOut(claims.agentId)
    return reply.send({ agentId: claims.agentId, ended })
  })

  app.post('/v1/takeover', async (request, reply) => {
    const takeover = parseTakeoverRequest(request.body, ctx.site)
    if (takeover instanceof Error) return reply.code(400).send({ error: 'bad-request', message: takeover.message })
    return reply.code(202).send(await startTakeover(ctx, takeover))
  })

  app.get<{ Params: { id: string } }>('/v1/takeover/:id', async (request, reply) => {
    const report = await takeoverReport(ctx, request.params.id)
    if (report === null)
      return reply.code(404).send({ error: 'not-found', message: `no takeover ${request.params.id} at site ${ctx.site}` })
    return reply.send(report)
  })

  app.post('/v1/freeswitch/directory', async (request, reply) => {
    const form = bodyOf(request.body)
    const user = typeof form.user === 'string' ? form.user : ''
    const domain = typeof form.domain === 'string' ? form.domain : ''
    void reply.type('text/xml')
    if (form.section !== 'directory' || user === '' || domain === '') return reply.send(notFoundDocument)
    const mac = await ctx.redis.get(projectionKeys.extension(ctx.site, user))
    const phone = mac === null ? null : decodePhone(await ctx.redis.hgetall(projectionKeys.phone(mac)))
    const line = phone?.extensions.find((item) => item.site === ctx.site && item.extension === user)
    if (phone?.credentials === undefined || line === undefined) return reply.send(notFoundDocument)
    return reply.send(directoryDocument({ domain, extension: user, password: phone.credentials.password, mac: phone.mac, line: line.line }))
  })

  // How many agents hold a session here now: the operator shows it as the Site's status.agents.hosted.
  app.get('/v1/sessions', async () => ({ site: ctx.site, active: await ctx.store.activeSessions() }))

  app.get('/healthz', () => ({ status: 'ok' }))

  app.get('/readyz', async (_request, reply) => {
    try {
      await Promise.race([
        ctx.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('Redis did not answer PING in time')), READY_TIMEOUT_MS).unref()),
      ])
      return await reply.send({ status: 'ready' })
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', message: `Redis: ${error instanceof Error ? error.message : String(error)}` })
    }
  })

  app.get('/metrics', async (_request, reply) => {
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics())
  })
}
