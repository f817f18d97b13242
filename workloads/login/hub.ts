// The agent WebSocket connections held by this replica: a primary one per signed-in agent, and the
// standby ones of agents signed in at a peer site (who wait here for a re-login instruction). A standing
// instruction (a takeover that keeps instructing) is also offered to every standby connection of its
// site that arrives before it lapses: a desktop whose standby backed off reconnects later, and is told then.
import type { WebSocket } from '@fastify/websocket'
import type { ServerMessage, SignedOutReason } from '../lib/protocol.ts'
import type { SessionClaims } from '../lib/auth/tokens.ts'

export interface AgentConnection {
  socket: WebSocket
  mode: 'primary' | 'standby'
  claims: SessionClaims
}

/** Close codes: 4000 the session ended, 4001 the token was refused, 4002 the client broke the protocol, 4003 sign in again. */
export const closeCodes = { sessionEnded: 4000, tokenRefused: 4001, protocol: 4002, relogin: 4003 } as const

type ReloginInstruction = Omit<Extract<ServerMessage, { type: 'relogin' }>, 'type'>

/** A takeover that keeps telling standby connections of `failedSite` that arrive until `until` (ms since the epoch). */
export interface StandingInstruction {
  failedSite: string
  until: number
  instruction: ReloginInstruction
  /** Whether this agent is to be told (e.g. its AgentSeat's home), then that it was told: both the takeover's, with its I/O. */
  offer: (agentId: string) => Promise<boolean>
  told: (agentId: string) => Promise<void>
}

export function send(socket: WebSocket, message: ServerMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
}

export class ConnectionHub {
  private readonly primaries = new Map<string, AgentConnection>()
  private readonly standbys = new Set<AgentConnection>()
  private readonly standing = new Set<StandingInstruction>()
  private readonly onOfferFailed: (error: unknown) => void

  constructor(options: { onOfferFailed?: (error: unknown) => void } = {}) {
    this.onOfferFailed =
      options.onOfferFailed ??
      ((error: unknown) =>
        process.emitWarning(`a standing takeover instruction failed: ${error instanceof Error ? error.message : String(error)}`))
  }

  add(connection: AgentConnection): void {
    if (connection.mode === 'standby') {
      this.standbys.add(connection)
      this.offerStanding(connection)
      return
    }
    const previous = this.primaries.get(connection.claims.agentId)
    this.primaries.set(connection.claims.agentId, connection)
    // The agent reconnected (or signed in again elsewhere on this site): only the newest socket counts.
    if (previous !== undefined && previous.socket !== connection.socket) previous.socket.close(closeCodes.sessionEnded, 'superseded')
  }

  remove(connection: AgentConnection): void {
    if (connection.mode === 'standby') this.standbys.delete(connection)
    else if (this.primaries.get(connection.claims.agentId) === connection) this.primaries.delete(connection.claims.agentId)
  }

  /** A session ended (anywhere in this site): tell its primary connection here, if any, and close it. */
  endSession(agentId: string, sessionId: string, reason: SignedOutReason): void {
    const connection = this.primaries.get(agentId)
    if (connection?.claims.sessionId !== sessionId) return
    this.primaries.delete(agentId)
    send(connection.socket, { type: 'signed-out', reason, message: `the session ended: ${reason}` })
    connection.socket.close(closeCodes.sessionEnded, reason)
  }

  /** The agents signed in at `site` that hold a standby connection here. */
  standbyAgents(site: string): string[] {
    return [...this.standbys].filter((connection) => connection.claims.site === site).map((connection) => connection.claims.agentId)
  }

  /** Tells every standby-connected agent signed in at `failedSite` (and accepted, when given) to sign in here; returns the agents told. */
  instructRelogin(failedSite: string, instruction: ReloginInstruction, accept?: (agentId: string) => boolean): string[] {
    const told: string[] = []
    for (const connection of this.standbys) {
      if (connection.claims.site !== failedSite) continue
      if (accept !== undefined && !accept(connection.claims.agentId)) continue
      send(connection.socket, { type: 'relogin', ...instruction })
      told.push(connection.claims.agentId)
    }
    return told
  }

  /** Keeps offering the instruction to standby connections of its site that arrive until it lapses. */
  stand(instruction: StandingInstruction, now = Date.now()): void {
    this.dropLapsed(now)
    if (instruction.until > now) this.standing.add(instruction)
  }

  /** Standing instructions not lapsed yet. */
  standingCount(now = Date.now()): number {
    this.dropLapsed(now)
    return this.standing.size
  }

  private dropLapsed(now: number): void {
    for (const instruction of this.standing) if (instruction.until <= now) this.standing.delete(instruction)
  }

  /**
   * Offers every standing instruction of the connection's site to it. Asynchronous (the offer may read the
   * agent's seat), so the welcome the caller sends right after add() reaches the client first.
   */
  private offerStanding(connection: AgentConnection): void {
    this.dropLapsed(Date.now())
    const { agentId, site } = connection.claims
    for (const instruction of this.standing) {
      if (instruction.failedSite !== site) continue
      void (async () => {
        if (!(await instruction.offer(agentId))) return
        if (!this.standbys.has(connection) || !this.standing.has(instruction)) return
        send(connection.socket, { type: 'relogin', ...instruction.instruction })
        await instruction.told(agentId)
      })().catch(this.onOfferFailed)
    }
  }

  counts(): { primary: number; standby: number } {
    return { primary: this.primaries.size, standby: this.standbys.size }
  }

  closeAll(): void {
    for (const connection of [...this.primaries.values(), ...this.standbys]) connection.socket.terminate()
    this.primaries.clear()
    this.standbys.clear()
    this.standing.clear()
  }
}
