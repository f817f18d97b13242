// The agent client SDK, what an agent desktop does: sign in at its site (at the standby's when its own
// takes no new agents: draining or fenced), keep a WebSocket there with heartbeats and a standby one to
// a peer site, sign in at the peer when told to (a takeover) or when its own site is confirmed lost
// (several reconnects failed while the peer still answers), sign out. A re-login at the standby's site
// goes over the standby connection, which then becomes the primary.
// It has no timers of its own: a HeartbeatWheel ticks it (one wheel can drive thousands of clients).
//
// Takeover instructions arrive over the standby connection with a mode. failover: followed only when
// the own site is lost (closed, or no heartbeat answer within the loss detection); an agent whose own
// site still answers declines and says so over the standby connection — the split-brain guard. drain:
// a planned move after the current call (the owner says when the agent is on a call: setOnCall).
// fence: a planned move now. A planned move signs out of the old site before signing in at the new one,
// so the agent is never signed in at two sites.
import WebSocket from 'ws'
import {
  AGENT_SOCKET_PATH,
  LEFT_FOR_ANOTHER_SITE,
  parseServerMessage,
  type ServerMessage,
  type SignedOutReason,
  type SignInResult,
  type TakeoverMode,
} from '../lib/protocol.ts'
import { LOGIN_TIMEOUT_MS, LoginApi, LoginRefused, type Credentials } from './http.ts'
import { HeartbeatWheel, type Tickable } from './wheel.ts'

export type AgentEvent =
  | {
      type: 'signed-in'
      site: string
      operatorId: number
      extension: string
      via: 'password' | 'token'
      takeoverId?: string
      /** The re-login went over the standby connection to that site, which is now the primary. */
      overStandby?: true
    }
  | { type: 'signed-out'; reason: SignedOutReason }
  | { type: 'relogin-instruction'; reason: string; site: string; mode: TakeoverMode }
  | { type: 'takeover-declined'; site: string; takeoverId: string }
  | { type: 'move-deferred'; site: string }
  | { type: 'left-site'; site: string }
  | { type: 'site-lost'; site: string }
  | { type: 'recovered'; site: string }
  | { type: 'error'; message: string }

export interface AgentClientOptions {
  credentials: Credentials
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
  /**
   * The desktop's own address, the one its connections leave from (default: the system's choice). A
   * simulation gives each simulated desktop its own loopback address, as real desktops have their own:
   * tens of thousands of connections from one address to one login service exhaust the ephemeral ports,
   * and the kernel then spends milliseconds on every connect.
   */
  localAddress?: string
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
  /** A re-login sent over this (standby) connection, waiting for its answer; undefined settles it as unanswered. */
  promotion?: (answer: SignInResult | LoginRefused | undefined) => void
}

/** A sign-in at a site, and the standby connection to it that became the primary (when it went over one). */
interface SignedInAt {
  next: SignInResult
  via: 'password' | 'token'
  kept?: Link
}

interface Move {
  url: string
  site: string
  takeoverId?: string
}

const MAX_RETRY_BACKOFF_MS = 60_000

/** The login service's refusals of a site that takes no new agents (spec.traffic Drain or Fenced). */
const SITE_CLOSED_CODES = new Set(['site-draining', 'site-fenced'])

/** Half to all of `ms`: desktops that lost the same site do not all come back at the same moment. */
const jittered = (ms: number) => ms / 2 + (Math.random() * ms) / 2

const socketUrl = (baseUrl: string) => `${baseUrl.replace(/^http/, 'ws')}${AGENT_SOCKET_PATH}`

export class AgentClient implements Tickable {
  readonly credentials: Credentials
  private readonly api: LoginApi
  private readonly localAddress: string | undefined
  private readonly intervalMs: number
  private readonly lossConfirmations: number
  private readonly wheel: HeartbeatWheel
  private readonly onEvent: (event: AgentEvent) => void
  private primary: Link
  private standby: Link | undefined
  private current: SignInResult | undefined
  private stopTicking: (() => void) | undefined
  private relogging = false
  private onCallNow = false
  /** A drain instruction waiting for the current call to end. */
  private pendingMove: Move | undefined
  /** The failover takeover declined last: a later move to that site by the agent's own loss detection counts for it. */
  private declined: { url: string; takeoverId: string } | undefined
  /** A failover takeover waiting for the own site's answer to a fresh heartbeat: decided by that answer, its close, or a timeout. */
  private verifying: { decide: () => void } | undefined
  /** The session at a site left after its loss: signed out of once that site answers the standby connection again. */
  private leftBehind: { url: string; session: SignInResult } | undefined
  /** Sign-ins at the standby's site after the own site was lost that failed in a row, and when to try again. */
  private lostRetry = { failures: 0, at: 0 }

  constructor(options: AgentClientOptions) {
    this.credentials = options.credentials
    this.localAddress = options.localAddress
    this.api = new LoginApi({ localAddress: options.localAddress })
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

  get onCall(): boolean {
    return this.onCallNow
  }

  /** The site a drain instruction will move the agent to once the current call ends. */
  get movePendingTo(): string | undefined {
    return this.pendingMove?.site
  }

  /** Whether the agent is on a call now (set by the desktop, from the phone or the ACD); a drain move waits for false. */
  setOnCall(onCall: boolean): void {
    this.onCallNow = onCall
    const move = this.pendingMove
    if (!onCall && move !== undefined) void this.relogin(move.url, move.takeoverId, 'planned')
  }

  /** Signs in at the primary site; with `connect` (default) also opens both WebSockets and starts heartbeats. */
  async signIn(options: { connect?: boolean } = {}): Promise<SignInResult> {
    const session = await this.signInSomewhere()
    this.current = session
    this.onEvent({ type: 'signed-in', site: session.site, operatorId: session.operatorId, extension: session.extension, via: 'password' })
    if (options.connect ?? true) this.connect()
    return session
  }

  /** At the own site; should it be draining or fenced (it takes no new agents), at the standby's site, which then becomes the primary. */
  private async signInSomewhere(): Promise<SignInResult> {
    try {
      return await this.api.signIn(this.primary.url, this.credentials)
    } catch (error) {
      const standby = this.standby
      if (!(error instanceof LoginRefused) || !SITE_CLOSED_CODES.has(error.code) || standby === undefined) throw error
      const session = await this.api.signIn(standby.url, this.credentials)
      this.standby = this.link(this.primary.url, 'standby')
      this.primary = this.link(standby.url, 'primary')
      return session
    }
  }

  /** Signs out at the site the agent is signed in at and closes everything. */
  async signOut(): Promise<void> {
    const session = this.current
    this.disconnect()
    if (session !== undefined) await this.api.signOut(this.primary.url, session.token)
  }

  /** Drops the connections and stops heartbeats without signing out (as a crashed desktop would). */
  disconnect(): void {
    this.current = undefined
    this.pendingMove = undefined
    this.leftBehind = undefined
    this.stopTicking?.()
    this.stopTicking = undefined
    this.drop(this.primary)
    if (this.standby !== undefined) this.drop(this.standby)
  }

  tick(now: number): void {
    // A move in progress owns the connections: no reconnect to the site being left.
    if (this.current === undefined || this.relogging) return
    this.service(this.primary, now)
    if (this.standby !== undefined) this.service(this.standby, now)
    const standby = this.standby
    const lost = !this.primary.open && this.primary.failures >= this.lossConfirmations
    if (lost && standby?.open === true && now >= this.lostRetry.at) {
      this.onEvent({ type: 'site-lost', site: this.current.site })
      const declined = this.declined?.url === standby.url ? this.declined.takeoverId : undefined
      void this.relogin(standby.url, declined, 'lost')
    }
  }

  /** The own site answers: its connection is open and acknowledged a heartbeat within the loss detection. */
  private primaryAnswers(now: number): boolean {
    return this.primary.open && now - this.primary.lastAckAt <= this.intervalMs * (this.lossConfirmations + 1)
  }

  private connect(): void {
    this.stopTicking ??= this.wheel.add(this)
    this.open(this.primary)
    if (this.standby !== undefined) this.open(this.standby)
  }

  /** After `failures` failed tries in a row: the interval doubled each time, up to a minute, jittered. */
  private backoffMs(failures: number): number {
    return jittered(Math.min(this.intervalMs * 2 ** failures, MAX_RETRY_BACKOFF_MS))
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
      // A standby connection only has to stay alive: a WebSocket ping, answered by the server's WebSocket layer.
      if (link.mode === 'standby') link.socket.ping()
      else link.socket.send(JSON.stringify({ type: 'heartbeat', seq: ++link.seq }))
    } else if (link.socket === undefined && now >= link.nextAttemptAt) {
      this.open(link)
    }
  }

  private open(link: Link): void {
    const session = this.current
    if (session === undefined || link.socket !== undefined) return
    const socket = new WebSocket(socketUrl(link.url), {
      perMessageDeflate: false,
      handshakeTimeout: this.intervalMs,
      ...(this.localAddress === undefined ? {} : { localAddress: this.localAddress }),
    })
    link.socket = socket
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token: session.token, mode: link.mode })))
    socket.on('message', (data: Buffer) => {
      if (link.socket !== socket) return // a connection already dropped (e.g. the site being left)
      const message = parseServerMessage(data.toString('utf8'))
      if (message instanceof Error) this.onEvent({ type: 'error', message: `${link.url}: ${message.message}` })
      else this.receive(link, message)
    })
    socket.on('pong', () => {
      if (link.socket === socket) link.lastAckAt = Date.now()
    })
    socket.on('error', () => undefined) // a 'close' follows; failures are counted there
    socket.on('close', () => {
      if (link.socket !== socket) return
      link.socket = undefined
      if (!link.open) link.failures++
      link.open = false
      if (link === this.primary) this.verifying?.decide()
      link.promotion?.(undefined)
      const backoff = link.mode === 'standby' ? this.backoffMs(link.failures) : 0
      link.nextAttemptAt = Date.now() + backoff
    })
  }

  /**
   * Drops the primary connection of a site just left, telling it first (if it is open) that the session
   * there is over: a site that only stalled reads that after the heartbeats it queued meanwhile.
   */
  private leaveOver(link: Link): void {
    const socket = link.socket
    if (socket === undefined || socket.readyState !== socket.OPEN) {
      this.drop(link)
      return
    }
    link.socket = undefined
    link.open = false
    socket.close(LEFT_FOR_ANOTHER_SITE, 'signed in at another site')
    // Its answer is not awaited: a stalled site may never send one.
    setTimeout(() => socket.terminate(), 1_000).unref()
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
        if (link.mode === 'standby' && this.leftBehind?.url === link.url) {
          void this.signOutQuietly(link.url, this.leftBehind.session)
          this.leftBehind = undefined
        }
        return
      case 'signed-in':
        link.promotion?.(message.result)
        return
      case 'relogin-refused':
        link.promotion?.(new LoginRefused(message.status, message.code, message.message))
        return
      case 'heartbeat-ack':
        link.lastAckAt = Date.now()
        if (link === this.primary) this.verifying?.decide()
        if (message.token !== undefined && link.mode === 'primary') session.token = message.token
        if (message.recovered === true) this.onEvent({ type: 'recovered', site: session.site })
        return
      case 'relogin':
        this.instructed(link, message)
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

  /** A re-login instruction: from the own site (its lease was lost), or a takeover over the standby connection. */
  private instructed(link: Link, message: Extract<ServerMessage, { type: 'relogin' }>): void {
    const mode = message.mode ?? 'failover'
    const { takeoverId } = message
    this.onEvent({ type: 'relogin-instruction', reason: message.reason, site: message.site, mode })
    const move: Move = { url: message.url, site: message.site, ...(takeoverId === undefined ? {} : { takeoverId }) }
    if (link.mode === 'primary') {
      void this.relogin(move.url, takeoverId, 'lost')
      return
    }
    if (mode === 'failover') {
      if (!this.primaryAnswers(Date.now())) {
        void this.relogin(move.url, takeoverId, 'lost')
        return
      }
      this.verifyPrimary(link, move)
      return
    }
    if (mode === 'drain' && this.onCallNow) {
      this.pendingMove = move
      this.onEvent({ type: 'move-deferred', site: message.site })
      return
    }
    void this.relogin(move.url, takeoverId, 'planned')
  }

  /**
   * The takeover can arrive before this agent has noticed its own site die (the close not yet handled, the
   * last acknowledgement recent): ask the own site once more and decline only if it answers. Its close, or
   * no answer within a heartbeat interval, means it is lost, and the agent follows.
   */
  private verifyPrimary(standby: Link, move: Move): void {
    if (this.verifying !== undefined) return
    const askedAt = Date.now()
    const primary = this.primary
    const decide = () => {
      if (this.verifying?.decide !== decide) return
      this.verifying = undefined
      clearTimeout(timer)
      if (this.current === undefined || this.relogging) return
      if (this.primary === primary && primary.open && primary.lastAckAt >= askedAt) this.decline(standby, move)
      else void this.relogin(move.url, move.takeoverId, 'lost')
    }
    const timer = setTimeout(decide, this.intervalMs).unref()
    this.verifying = { decide }
    primary.socket?.send(JSON.stringify({ type: 'heartbeat', seq: ++primary.seq }))
  }

  private decline(standby: Link, move: Move): void {
    const { takeoverId } = move
    if (takeoverId === undefined) return
    this.declined = { url: move.url, takeoverId }
    const reason = `site ${this.current?.site ?? '?'} still answers this agent`
    standby.socket?.send(JSON.stringify({ type: 'takeover-declined', takeoverId, reason }))
    this.onEvent({ type: 'takeover-declined', site: move.site, takeoverId })
  }

  /**
   * Signs in with the session token, falling back to the password when the token is refused. At the
   * standby's site the re-login goes over the standby connection, which then becomes the primary (`kept`);
   * should that connection close or not answer, over HTTP.
   */
  private async signInAt(url: string, token: string, takeoverId?: string): Promise<SignedInAt> {
    const standby = this.standby
    let refused: LoginRefused | undefined
    if (standby?.url === url && standby.open) {
      const answer = await this.reloginOver(standby, token, takeoverId)
      if (answer instanceof LoginRefused) refused = answer
      else if (answer !== undefined) return { next: answer, via: 'token', kept: standby }
    }
    try {
      if (refused !== undefined) throw refused
      return { next: await this.api.relogin(url, token, takeoverId), via: 'token' }
    } catch (error) {
      if (!(error instanceof LoginRefused) || !error.code.startsWith('token-')) throw error
      return { next: await this.api.signIn(url, this.credentials, takeoverId), via: 'password' }
    }
  }

  private reloginOver(link: Link, token: string, takeoverId?: string): Promise<SignInResult | LoginRefused | undefined> {
    return new Promise((resolve) => {
      const settle = (answer: SignInResult | LoginRefused | undefined) => {
        if (link.promotion !== settle) return
        link.promotion = undefined
        clearTimeout(timer)
        resolve(answer)
      }
      const timer = setTimeout(() => settle(undefined), LOGIN_TIMEOUT_MS).unref()
      link.promotion = settle
      link.socket?.send(JSON.stringify({ type: 'relogin', token, ...(takeoverId === undefined ? {} : { takeoverId }) }))
    })
  }

  /**
   * Signs in at `url`, then makes it the primary site. A planned move to another site first signs out
   * of the current one (its connection dropped first, so its "signed out" is not taken for the end of
   * the session); should the new site refuse, the agent signs in at the old one again. After a loss the
   * old site is signed out of afterwards, in case it is only unreachable from here.
   */
  private async relogin(url: string, takeoverId: string | undefined, why: 'lost' | 'planned'): Promise<void> {
    const session = this.current
    if (session === undefined || this.relogging) return
    this.relogging = true
    this.pendingMove = undefined
    const leaving = url === this.primary.url ? undefined : this.primary.url
    try {
      if (why === 'planned' && leaving !== undefined) await this.leave(leaving, session)
      let signedIn: SignedInAt
      try {
        signedIn = await this.signInAt(url, session.token, takeoverId)
      } catch (error) {
        if (why === 'planned' && leaving !== undefined) await this.returnTo(leaving, session)
        throw error
      }
      const { next, via, kept } = signedIn
      if (this.current === undefined) return
      // Signing out of a lost site can wait until it answers again (it may only be unreachable from here).
      if (why === 'lost' && leaving !== undefined) this.leftBehind = { url: leaving, session }
      this.current = next
      if (url !== this.primary.url) {
        const previous = this.primary
        this.leaveOver(previous)
        if (kept === undefined) {
          if (this.standby !== undefined) this.drop(this.standby)
          this.primary = this.link(url, 'primary')
        } else {
          kept.mode = 'primary'
          this.primary = kept
        }
        // The site we left becomes the standby; it is probably down, so reconnects back off.
        this.standby = { ...this.link(previous.url, 'standby'), failures: 1, nextAttemptAt: Date.now() + this.backoffMs(1) }
      } else {
        this.drop(this.primary)
      }
      if (this.primary.socket === undefined) this.open(this.primary)
      this.onEvent({
        type: 'signed-in',
        site: next.site,
        operatorId: next.operatorId,
        extension: next.extension,
        via,
        ...(takeoverId === undefined ? {} : { takeoverId }),
        ...(kept === undefined ? {} : { overStandby: true }),
      })
      if (why === 'lost') this.lostRetry = { failures: 0, at: 0 }
    } catch (error) {
      this.onEvent({ type: 'error', message: `re-login at ${url} failed: ${describe(error)}` })
      if (why === 'lost') {
        // Refused (e.g. that site is draining too) or unanswered: ask again later, not at every tick.
        const failures = this.lostRetry.failures + 1
        this.lostRetry = { failures, at: Date.now() + this.backoffMs(failures) }
      }
    } finally {
      this.relogging = false
    }
  }

  /** Drops the connection to the site being left and signs out there (an unreachable site ends the session by its timeout). */
  private async leave(url: string, session: SignInResult): Promise<void> {
    this.drop(this.primary)
    try {
      await this.api.signOut(url, session.token)
    } catch (error) {
      this.onEvent({ type: 'error', message: `sign-out at ${url} before moving failed: ${describe(error)}` })
    }
    this.onEvent({ type: 'left-site', site: session.site })
  }

  /** After a refused planned move: back to the site just left, as it was. */
  private async returnTo(url: string, session: SignInResult): Promise<void> {
    try {
      const { next } = await this.signInAt(url, session.token)
      if (this.current === undefined) return
      this.current = next
      this.open(this.primary)
    } catch (error) {
      this.disconnect()
      this.onEvent({ type: 'error', message: `could not sign in again at ${url} after a refused move: ${describe(error)}` })
    }
  }

  private async signOutQuietly(url: string, session: SignInResult): Promise<void> {
    try {
      await this.api.signOut(url, session.token)
      this.onEvent({ type: 'left-site', site: session.site })
    } catch {
      // The site is down: its session ends by its own timeout.
    }
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))
