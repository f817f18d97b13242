// The agent client SDK, what an agent desktop does: sign in at its site, keep a WebSocket there with
// heartbeats and a standby one to a peer site, sign in at the peer when told to (a takeover) or when
// its own site is confirmed lost (several reconnects failed while the peer still answers), sign out.
// It has no timers of its own: a HeartbeatWheel ticks it (one wheel can drive thousands of clients).
import WebSocket from 'ws'
import { AGENT_SOCKET_PATH, parseServerMessage, type ServerMessage, type SignedOutReason, type SignInResult } from '../lib/protocol.ts'
import * as api from './http.ts'
import { HeartbeatWheel, type Tickable } from './wheel.ts'

export type AgentEvent =
  | { type: 'signed-in'; site: string; operatorId: number; extension: string; via: 'password' | 'token'; takeoverId?: string }
  | { type: 'signed-out'; reason: SignedOutReason }
  | { type: 'relogin-instruction'; reason: string; site: string }
  | { type: 'site-lost'; site: string }
  | { type: 'recovered'; site: string }
  | { type: 'error'; message: string }

export interface AgentClientOptions {
  credentials: api.Credentials
  /** The login service of the site to sign in at. */
  primaryUrl: string
  /** The login service of a peer site, for the standby connection. */
  standbyUrl?: string
  /** Default 5000. */
  heartbeatIntervalMs?: number
  /** Failed reconnects to the primary (each one tick apart) that confirm the site is lost; default 2. */
  lossConfirmations?: number
  /** Shared by many clients; by default each client has its own. */
  wheel?: HeartbeatWheel
  onEvent?: (event: AgentEvent) => void
}

interface Link {
  url: string
  mode: 'primary' | 'standby'
  socket?: WebSocket
  /** Welcomed by the server. */
  open: boolean
  failures: number
  nextAttemptAt: number
  lastAckAt: number
  seq: number
}

const MAX_STANDBY_BACKOFF_MS = 60_000

const socketUrl = (baseUrl: string) => `${baseUrl.replace(/^http/, 'ws')}${AGENT_SOCKET_PATH}`

export class AgentClient implements Tickable {
  readonly credentials: api.Credentials
  private readonly intervalMs: number
  private readonly lossConfirmations: number
  private readonly wheel: HeartbeatWheel
  private readonly onEvent: (event: AgentEvent) => void
  private primary: Link
  private standby: Link | undefined
  private current: SignInResult | undefined
  private stopTicking: (() => void) | undefined
  private relogging = false

  constructor(options: AgentClientOptions) {
    this.credentials = options.credentials
    this.intervalMs = options.heartbeatIntervalMs ?? 5_000
    this.lossConfirmations = options.lossConfirmations ?? 2
    this.wheel = options.wheel ?? new HeartbeatWheel(this.intervalMs, 1)
    this.onEvent = options.onEvent ?? (() => undefined)
    this.primary = this.link(options.primaryUrl, 'primary')
    if (options.standbyUrl !== undefined) this.standby = this.link(options.standbyUrl, 'standby')
  }

  /** The session as the login service answered it (the token is refreshed by heartbeats). */
  get session(): SignInResult | undefined {
    return this.current
  }

  get primaryUrl(): string {
    return this.primary.url
  }

  get connections(): { primary: boolean; standby: boolean } {
    return { primary: this.primary.open, standby: this.standby?.open ?? false }
  }

  /** Signs in at the primary site; with `connect` (default) also opens both WebSockets and starts heartbeats. */
  async signIn(options: { connect?: boolean } = {}): Promise<SignInResult> {
    const session = await api.signIn(this.primary.url, this.credentials)
    this.current = session
    this.onEvent({ type: 'signed-in', site: session.site, operatorId: session.operatorId, extension: session.extension, via: 'password' })
    if (options.connect ?? true) this.connect()
    return session
  }

  /** Signs out at the site the agent is signed in at and closes everything. */
  async signOut(): Promise<void> {
    const session = this.current
    this.disconnect()
    if (session !== undefined) await api.signOut(this.primary.url, session.token)
  }

  /** Drops the connections and stops heartbeats without signing out (as a crashed desktop would). */
  disconnect(): void {
    this.current = undefined
    this.stopTicking?.()
    this.stopTicking = undefined
    this.drop(this.primary)
    if (this.standby !== undefined) this.drop(this.standby)
  }

  tick(now: number): void {
    if (this.current === undefined) return
    this.service(this.primary, now)
    if (this.standby !== undefined) this.service(this.standby, now)
    const standby = this.standby
    if (!this.primary.open && this.primary.failures >= this.lossConfirmations && standby?.open === true && !this.relogging) {
      this.onEvent({ type: 'site-lost', site: this.current.site })
      void this.relogin(standby.url)
    }
  }

  private connect(): void {
    this.stopTicking ??= this.wheel.add(this)
    this.open(this.primary)
    if (this.standby !== undefined) this.open(this.standby)
  }

  private link(url: string, mode: Link['mode']): Link {
    return { url, mode, open: false, failures: 0, nextAttemptAt: 0, lastAckAt: 0, seq: 0 }
  }

  private service(link: Link, now: number): void {
    if (link.open && link.socket !== undefined) {
      // No ack for several intervals: the connection is dead even if TCP has not noticed.
      if (now - link.lastAckAt > this.intervalMs * (this.lossConfirmations + 1)) {
        link.socket.terminate()
        return
      }
      link.socket.send(JSON.stringify({ type: 'heartbeat', seq: ++link.seq }))
    } else if (link.socket === undefined && now >= link.nextAttemptAt) {
      this.open(link)
    }
  }

  private open(link: Link): void {
    const session = this.current
    if (session === undefined || link.socket !== undefined) return
    const socket = new WebSocket(socketUrl(link.url), { perMessageDeflate: false, handshakeTimeout: this.intervalMs })
    link.socket = socket
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token: session.token, mode: link.mode })))
    socket.on('message', (data: Buffer) => {
      const message = parseServerMessage(data.toString('utf8'))
      if (message instanceof Error) this.onEvent({ type: 'error', message: `${link.url}: ${message.message}` })
      else this.receive(link, message)
    })
    socket.on('error', () => undefined) // a 'close' follows; failures are counted there
    socket.on('close', () => {
      if (link.socket !== socket) return
      link.socket = undefined
      if (!link.open) link.failures++
      link.open = false
      const backoff = link.mode === 'standby' ? Math.min(this.intervalMs * 2 ** link.failures, MAX_STANDBY_BACKOFF_MS) : 0
      link.nextAttemptAt = Date.now() + backoff
    })
  }

  private drop(link: Link): void {
    const socket = link.socket
    link.socket = undefined
    link.open = false
    socket?.terminate()
  }

  private receive(link: Link, message: ServerMessage): void {
    const session = this.current
    if (session === undefined) return
    switch (message.type) {
      case 'welcome':
        link.open = true
        link.failures = 0
        link.lastAckAt = Date.now()
        return
      case 'heartbeat-ack':
        link.lastAckAt = Date.now()
        if (message.token !== undefined && link.mode === 'primary') session.token = message.token
        if (message.recovered === true) this.onEvent({ type: 'recovered', site: session.site })
        return
      case 'relogin':
        this.onEvent({ type: 'relogin-instruction', reason: message.reason, site: message.site })
        void this.relogin(message.url, message.takeoverId)
        return
      case 'signed-out':
        if (link.mode === 'standby') {
          // The peer refused the token (e.g. expired): try again later with a fresh one.
          this.drop(link)
          link.nextAttemptAt = Date.now() + this.intervalMs
          return
        }
        this.disconnect()
        this.onEvent({ type: 'signed-out', reason: message.reason })
        return
      case 'error':
        this.onEvent({ type: 'error', message: `${link.url}: ${message.message}` })
    }
  }

  /** Signs in at `url` with the session token (falling back to the password), then makes it the primary site. */
  private async relogin(url: string, takeoverId?: string): Promise<void> {
    const session = this.current
    if (session === undefined || this.relogging) return
    this.relogging = true
    try {
      let next: SignInResult
      let via: 'password' | 'token' = 'token'
      try {
        next = await api.relogin(url, session.token, takeoverId)
      } catch (error) {
        if (!(error instanceof api.LoginRefused) || !error.code.startsWith('token-')) throw error
        next = await api.signIn(url, this.credentials, takeoverId)
        via = 'password'
      }
      if (this.current === undefined) return
      this.current = next
      if (url !== this.primary.url) {
        const previous = this.primary
        this.drop(previous)
        if (this.standby !== undefined) this.drop(this.standby)
        this.primary = this.link(url, 'primary')
        // The site we left becomes the standby; it is probably down, so reconnects back off.
        this.standby = { ...this.link(previous.url, 'standby'), failures: 1, nextAttemptAt: Date.now() + this.intervalMs }
      } else {
        this.drop(this.primary)
      }
      this.open(this.primary)
      this.onEvent({
        type: 'signed-in',
        site: next.site,
        operatorId: next.operatorId,
        extension: next.extension,
        via,
        ...(takeoverId === undefined ? {} : { takeoverId }),
      })
    } catch (error) {
      this.onEvent({ type: 'error', message: `re-login at ${url} failed: ${error instanceof Error ? error.message : String(error)}` })
    } finally {
      this.relogging = false
    }
  }
}
