// The agent WebSocket (`/v1/agent`, protocol in ../lib/protocol.ts). A primary connection renews the
// session and its lease on each heartbeat — and re-creates them from the token when Redis lost them;
// a standby connection waits for a re-login instruction (and reports a declined one), and becomes the
// primary when the agent re-logs in over it.
import type { FastifyInstance } from 'fastify'
import type { WebSocket } from '@fastify/websocket'
import { TokenError, type SessionClaims } from '../lib/auth/tokens.ts'
import { projectionKeys } from '../lib/keys.ts'
import { decodeAgentSeat, decodeSitePools } from '../lib/projection/decode.ts'
import { AGENT_SOCKET_PATH, LEFT_FOR_ANOTHER_SITE, parseClientMessage, type ClientMessage } from '../lib/protocol.ts'
import type { LoginContext } from './context.ts'
import { SignInError } from './errors.ts'
import { closeCodes, send, type AgentConnection, type ConnectionHub } from './hub.ts'
import { recordedSignIn } from './recorded-signin.ts'
import { signInWithClaims } from './signin.ts'
import { defaultLeaseMs, type HeartbeatOutcome } from './session-store.ts'
import { recordDecline } from './takeover.ts'

const HELLO_TIMEOUT_MS = 10_000

interface Primary extends AgentConnection {
  leaseMs: number
  issuedAt: number
  mac: string
}

async function leaseMsOf(ctx: LoginContext, pool: string): Promise<number> {
  const pools = decodeSitePools(await ctx.redis.get(projectionKeys.sitePools(ctx.site)))
  const found = pools?.find((candidate) => candidate.name === pool)
  return found === undefined ? defaultLeaseMs : found.leaseSeconds * 1000
}

async function macOf(ctx: LoginContext, claims: SessionClaims): Promise<string> {
  const session = await ctx.redis.hget(ctx.keys.session(claims.agentId), 'mac')
  return session ?? (await ctx.redis.get(projectionKeys.pc(claims.pcHostName))) ?? ''
}

/** After a recovery the ACD may have lost the agent too (it shares the site's Redis): tell it again. */
async function renotifyAcd(ctx: LoginContext, claims: SessionClaims): Promise<void> {
  const seat = decodeAgentSeat(await ctx.redis.hgetall(projectionKeys.agentSeat(claims.agentId)))
  if (seat === null) return
  ctx.acd.signedIn(claims.agentId, { site: ctx.site, extension: claims.extension, operatorId: claims.operatorId, skills: seat.skills })
}

export function registerAgentSocket(app: FastifyInstance, ctx: LoginContext, hub: ConnectionHub): void {
  const beat = async (connection: Primary): Promise<HeartbeatOutcome> => {
    const { claims } = connection
    const outcome = await ctx.store.heartbeat(claims.agentId, claims.sessionId, {
      operatorId: claims.operatorId,
      pool: claims.pool,
      leaseMs: connection.leaseMs,
      fields: { extension: claims.extension, pcHostName: claims.pcHostName, mac: connection.mac },
    })
    if (outcome === 'recovered') {
      ctx.metrics.recovered.inc()
      await renotifyAcd(ctx, claims)
    }
    return outcome
  }

  /** Ends the connection when the heartbeat says the session is over; true when it goes on. */
  const settle = (connection: Primary, outcome: HeartbeatOutcome): boolean => {
    if (outcome === 'ok' || outcome === 'recovered') return true
    hub.remove(connection)
    if (outcome === 'lease-lost') {
      send(connection.socket, { type: 'relogin', reason: 'the operator-ID lease was lost', site: ctx.site, url: ctx.publicUrl })
      connection.socket.close(closeCodes.relogin, 'lease lost')
    } else {
      send(connection.socket, { type: 'signed-out', reason: outcome, message: `the session ended: ${outcome}` })
      connection.socket.close(closeCodes.sessionEnded, outcome)
    }
    return false
  }

  /** The agent's primary connection here, with the lease length of its pool and its phone's MAC. */
  const primaryOf = async (socket: WebSocket, claims: SessionClaims & { issuedAt: number }): Promise<Primary> => {
    const [leaseMs, mac] = await Promise.all([leaseMsOf(ctx, claims.pool), macOf(ctx, claims)])
    return { socket, mode: 'primary', claims, leaseMs, mac, issuedAt: claims.issuedAt }
  }

  const hello = async (socket: WebSocket, message: Extract<ClientMessage, { type: 'hello' }>): Promise<AgentConnection | undefined> => {
    let claims: SessionClaims & { issuedAt: number }
    try {
      claims = await ctx.tokens.verify(message.token)
    } catch (error) {
      if (!(error instanceof TokenError)) throw error
      send(socket, { type: 'signed-out', reason: error.code, message: error.message })
      socket.close(closeCodes.tokenRefused, error.code)
      return undefined
    }
    if (message.mode === 'standby') {
      const connection: AgentConnection = { socket, mode: 'standby', claims }
      hub.add(connection)
      send(socket, { type: 'welcome', mode: 'standby', site: ctx.site, sessionTimeoutMs: ctx.sessionTimeoutMs })
      return connection
    }
    if (claims.site !== ctx.site) {
      send(socket, {
        type: 'error',
        message: `this session belongs to site ${claims.site}, not ${ctx.site}: connect there or re-login here`,
      })
      socket.close(closeCodes.protocol, 'wrong site')
      return undefined
    }
    const connection = await primaryOf(socket, claims)
    if (!settle(connection, await beat(connection))) return undefined
    hub.add(connection)
    send(socket, { type: 'welcome', mode: 'primary', site: ctx.site, sessionTimeoutMs: ctx.sessionTimeoutMs })
    return connection
  }

  /** A re-login over a standby connection: on success the connection is the agent's primary here; a refusal leaves it a standby. */
  const reloginOver = async (standby: AgentConnection, message: Extract<ClientMessage, { type: 'relogin' }>): Promise<AgentConnection> => {
    const { socket } = standby
    const refuse = (error: SignInError) => {
      app.log.info({ reason: error.code }, error.message)
      send(socket, { type: 'relogin-refused', status: error.status, code: error.code, message: error.message })
      return standby
    }
    if (standby.mode !== 'standby') return refuse(new SignInError('bad-request', 'this connection is already the primary: heartbeat on it'))
    let result
    try {
      const claims = await ctx.tokens.verify(message.token)
      if (claims.agentId !== standby.claims.agentId) {
        return refuse(
          new SignInError('bad-request', `this standby connection belongs to agent ${standby.claims.agentId}, not ${claims.agentId}`),
        )
      }
      result = await recordedSignIn(ctx, 'token', () => signInWithClaims(ctx, claims), message.takeoverId)
    } catch (error) {
      if (error instanceof TokenError) return refuse(new SignInError(error.code, error.message))
      if (error instanceof SignInError) return refuse(error)
      throw error
    }
    const primary = await primaryOf(socket, await ctx.tokens.verify(result.token))
    hub.remove(standby)
    hub.add(primary)
    send(socket, { type: 'signed-in', result })
    return primary
  }

  const endLeftSession = async (agentId: string, sessionId: string): Promise<void> => {
    if (await ctx.store.close(agentId, sessionId)) ctx.acd.signedOut(agentId)
  }

  const heartbeat = async (connection: AgentConnection, seq: number): Promise<void> => {
    if (connection.mode === 'standby') {
      send(connection.socket, { type: 'heartbeat-ack', seq })
      return
    }
    const primary = connection as Primary
    const outcome = await beat(primary)
    if (!settle(primary, outcome)) return
    let token: string | undefined
    const now = Date.now()
    if (now - primary.issuedAt > (ctx.tokens.ttlSeconds * 1000) / 2) {
      token = await ctx.tokens.issue(primary.claims, now)
      primary.issuedAt = now
    }
    send(primary.socket, {
      type: 'heartbeat-ack',
      seq,
      ...(outcome === 'recovered' ? { recovered: true } : {}),
      ...(token === undefined ? {} : { token }),
    })
  }

  app.get(AGENT_SOCKET_PATH, { websocket: true }, (socket) => {
    let connection: AgentConnection | undefined
    const isOpen = () => socket.readyState === socket.OPEN
    // Messages of one connection are handled in order: the hello finishes before its first heartbeat.
    let queue = Promise.resolve()
    const helloTimer = setTimeout(() => {
      send(socket, { type: 'error', message: `no hello within ${HELLO_TIMEOUT_MS} ms` })
      socket.close(closeCodes.protocol, 'no hello')
    }, HELLO_TIMEOUT_MS)

    const handle = async (text: string) => {
      if (!isOpen()) return
      const message = parseClientMessage(text)
      if (message instanceof Error) {
        send(socket, { type: 'error', message: message.message })
        socket.close(closeCodes.protocol, 'bad message')
        return
      }
      if (message.type === 'hello') {
        if (connection !== undefined) return
        clearTimeout(helloTimer)
        connection = await hello(socket, message)
        // The socket may have closed while the hello was checked: then it must not stay registered.
        if (!isOpen() && connection !== undefined) hub.remove(connection)
      } else if (connection === undefined) {
        send(socket, { type: 'error', message: 'send hello with the session token first' })
        socket.close(closeCodes.protocol, 'no hello')
      } else if (message.type === 'relogin') {
        connection = await reloginOver(connection, message)
        if (!isOpen()) hub.remove(connection)
      } else if (message.type === 'takeover-declined') {
        ctx.metrics.takeoverDeclines.inc()
        await recordDecline(ctx, message.takeoverId, connection.claims.agentId, message.reason)
      } else {
        await heartbeat(connection, message.seq)
      }
    }

    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString('utf8')
      queue = queue
        .then(() => handle(text))
        .catch((error: unknown) => {
          app.log.error({ err: error }, 'agent message failed')
          // A failed heartbeat (Redis away) keeps the connection: the next one may succeed, and recover the session.
          if (connection === undefined) socket.close(1011, 'internal error')
          else send(socket, { type: 'error', message: 'the heartbeat could not be recorded; it will be retried with the next one' })
        })
    })
    socket.on('close', (code: number) => {
      clearTimeout(helloTimer)
      if (connection === undefined) return
      hub.remove(connection)
      // The agent signed in at another site. Heartbeats queued before this close (a stalled or frozen
      // site reads them all at once) renewed the session: end it now, or the agent is signed in twice.
      if (code === LEFT_FOR_ANOTHER_SITE && connection.mode === 'primary') {
        const { agentId, sessionId } = connection.claims
        // After the heartbeats already queued on this connection, so that none of them renews it again.
        queue = queue
          .then(() => endLeftSession(agentId, sessionId))
          .catch((error: unknown) => app.log.error({ err: error }, 'ending the session of an agent that left failed'))
      }
    })
  })
}
