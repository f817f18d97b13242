// The agent WebSocket connections held by this replica: a primary one per signed-in agent, and the
// standby ones of agents signed in at a peer site (who wait here for a re-login instruction).
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

export function send(socket: WebSocket, message: ServerMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
}

export class ConnectionHub {
  private readonly primaries = new Map<string, AgentConnection>()
  private readonly standbys = new Set<AgentConnection>()

  add(connection: AgentConnection): void {
    if (connection.mode === 'standby') {
      this.standbys.add(connection)
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

  /** Tells every standby-connected agent signed in at `failedSite` (and accepted, when given) to sign in here; returns how many were told. */
  instructRelogin(
    failedSite: string,
    instruction: Omit<Extract<ServerMessage, { type: 'relogin' }>, 'type'>,
    accept?: (agentId: string) => boolean,
  ): number {
    let told = 0
    for (const connection of this.standbys) {
      if (connection.claims.site !== failedSite) continue
      if (accept !== undefined && !accept(connection.claims.agentId)) continue
      send(connection.socket, { type: 'relogin', ...instruction })
      told++
    }
    return told
  }

  counts(): { primary: number; standby: number } {
    return { primary: this.primaries.size, standby: this.standbys.size }
  }

  closeAll(): void {
    for (const connection of [...this.primaries.values(), ...this.standbys]) connection.socket.terminate()
    this.primaries.clear()
    this.standbys.clear()
  }
}
