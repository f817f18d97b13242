// The agent WebSocket protocol between an agent client and a login service: JSON text messages, one
// per frame. The client opens `/v1/agent`, sends `hello` with its session token, then heartbeats.
// A primary connection (to the site the agent is signed in at) renews the session and its lease on each
// heartbeat; a standby connection (to a peer site) only waits for a `relogin` instruction, and is kept
// alive by WebSocket pings. Told to sign in at the standby's site, the agent does it over that same
// connection (`relogin` with its token), which then becomes its primary: a takeover of thousands of
// agents costs the login service no HTTP request and no new connection per agent.
import Type, { type Static } from 'typebox'
import Compile from 'typebox/compile'

export const AGENT_SOCKET_PATH = '/v1/agent'

export const Hello = Type.Object({
  type: Type.Literal('hello'),
  token: Type.String({ minLength: 1, maxLength: 4096 }),
  mode: Type.Union([Type.Literal('primary'), Type.Literal('standby')]),
})

export const Heartbeat = Type.Object({
  type: Type.Literal('heartbeat'),
  seq: Type.Integer({ minimum: 0 }),
})

/** The kinds of takeover a login service asks for (see workloads/login/takeover.ts). */
export const TakeoverMode = Type.Union([Type.Literal('failover'), Type.Literal('drain'), Type.Literal('fence')])
export type TakeoverMode = Static<typeof TakeoverMode>

/** Sent over a standby connection: the agent did not follow a failover takeover (its own site still answers). */
export const TakeoverDeclined = Type.Object({
  type: Type.Literal('takeover-declined'),
  takeoverId: Type.String({ minLength: 1, maxLength: 128 }),
  reason: Type.String({ maxLength: 256 }),
})

/** Sent over a standby connection: sign me in here with this session token (of any site); the connection becomes the primary. */
export const StandbyRelogin = Type.Object({
  type: Type.Literal('relogin'),
  token: Type.String({ minLength: 1, maxLength: 4096 }),
  /** Set when a takeover asked for it, so the re-login time is recorded. */
  takeoverId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
})

/**
 * The WebSocket close code an agent closes its primary connection with when it has signed in at another
 * site: the session here is over. A site that was frozen (or its link stalled) reads it after the
 * heartbeats queued before it, and must end the session rather than keep the agent signed in twice.
 */
export const LEFT_FOR_ANOTHER_SITE = 4100

export const ClientMessage = Type.Union([Hello, Heartbeat, TakeoverDeclined, StandbyRelogin])
export type ClientMessage = Static<typeof ClientMessage>

export const Welcome = Type.Object({
  type: Type.Literal('welcome'),
  mode: Type.Union([Type.Literal('primary'), Type.Literal('standby')]),
  site: Type.String(),
  /** A session silent for this long is ended by the server. */
  sessionTimeoutMs: Type.Integer(),
})

export const HeartbeatAck = Type.Object({
  type: Type.Literal('heartbeat-ack'),
  seq: Type.Integer(),
  /** Set when the server re-created the session from this heartbeat (its Redis had lost it). */
  recovered: Type.Optional(Type.Boolean()),
  /** A fresh session token, sent when the current one is past half its life. */
  token: Type.Optional(Type.String()),
})

export const Relogin = Type.Object({
  type: Type.Literal('relogin'),
  reason: Type.String(),
  /** The site to sign in at now, and its login service. */
  site: Type.String(),
  url: Type.String(),
  /** Set when a takeover asked for it; passed back on re-login so the re-login time is recorded. */
  takeoverId: Type.Optional(Type.String()),
  /**
   * The takeover's kind. failover (or absent): follow only when the own site is lost, else decline.
   * drain: move after the current call. fence: move now. A drain or fence move signs out of the old site first.
   */
  mode: Type.Optional(TakeoverMode),
})

export const SignedOut = Type.Object({
  type: Type.Literal('signed-out'),
  reason: Type.Union([
    Type.Literal('signed-out'),
    Type.Literal('replaced'),
    Type.Literal('expired'),
    Type.Literal('token-expired'),
    Type.Literal('token-invalid'),
  ]),
  message: Type.String(),
})

export const ProtocolError = Type.Object({
  type: Type.Literal('error'),
  message: Type.String(),
})

/** What a sign-in (or re-login) answers, over HTTP or over a standby connection. */
export const SignInResult = Type.Object({
  token: Type.String(),
  agentId: Type.String(),
  site: Type.String(),
  operatorId: Type.Integer(),
  pool: Type.String(),
  extension: Type.String(),
  /** When the token expires (ms since the epoch); heartbeats bring fresh ones. */
  expiresAt: Type.Integer(),
  sessionTimeoutMs: Type.Integer(),
  /** True when this sign-in replaced a session the agent already had here. */
  replaced: Type.Boolean(),
})
export type SignInResult = Static<typeof SignInResult>

/** The answer to a `relogin` over a standby connection: signed in here, and this connection is now the primary. */
export const SignedIn = Type.Object({ type: Type.Literal('signed-in'), result: SignInResult })

/** The answer to a refused `relogin` over a standby connection, with the reason and status HTTP would have given; the connection stays a standby. */
export const ReloginRefused = Type.Object({
  type: Type.Literal('relogin-refused'),
  status: Type.Integer(),
  code: Type.String(),
  message: Type.String(),
})

export const ServerMessage = Type.Union([Welcome, HeartbeatAck, Relogin, SignedOut, ProtocolError, SignedIn, ReloginRefused])
export type ServerMessage = Static<typeof ServerMessage>
export type SignedOutReason = Static<typeof SignedOut>['reason']

const clientMessage = Compile(ClientMessage)
const serverMessage = Compile(ServerMessage)

function parseWith<T>(check: (value: unknown) => value is T, text: string, what: string): T | Error {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return new Error(`${what} is not JSON`)
  }
  if (!check(value)) {
    const type = typeof value === 'object' && value !== null && 'type' in value ? String(value.type) : 'without a type'
    return new Error(`${what} of type ${type} does not match the agent protocol`)
  }
  return value
}

export const parseClientMessage = (text: string): ClientMessage | Error =>
  parseWith((value): value is ClientMessage => clientMessage.Check(value), text, 'client message')

export const parseServerMessage = (text: string): ServerMessage | Error =>
  parseWith((value): value is ServerMessage => serverMessage.Check(value), text, 'server message')
