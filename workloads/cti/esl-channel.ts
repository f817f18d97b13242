// Promise-shaped access to one call's outbound Event Socket connection (modesl): commands, api calls,
// applications, and the channel's events, which the bridge subscribes to in plain format.
//
// FreeSWITCH may close the socket at any moment (the caller hangs up while it connects, the soft switch
// dies), and modesl then emits `error` (EPIPE, ECONNRESET) and never calls the callbacks of what was in
// flight. So every request here settles when the socket goes away, and socket errors are counted, never
// thrown: an unhandled `error` would take the whole bridge, and every call on it, down.
import type { Connection, Event } from 'modesl'

/** The channel events the bridge follows, for its own channel only (myevents). */
export const CHANNEL_EVENTS = [
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_HANGUP',
  'CHANNEL_EXECUTE_COMPLETE',
  'BACKGROUND_JOB',
]

export class EventSocketClosedError extends Error {
  constructor(what: string) {
    super(`the Event Socket closed before ${what} was answered`)
  }
}

export class FreeswitchRefusedError extends Error {
  constructor(command: string, reply: string) {
    super(`FreeSWITCH refused ${JSON.stringify(command)}: ${reply}`)
  }
}

export class EslChannel {
  readonly uuid: string
  /** Resolves with the hangup cause once the caller's channel hangs up or the socket closes. */
  readonly hungUp: Promise<string>
  /** Resolves once the socket is gone, for whatever reason. */
  readonly closed: Promise<void>
  private readonly connection: Connection

  constructor(connection: Connection, uuid: string, onSocketError: (error: Error) => void) {
    this.connection = connection
    this.uuid = uuid
    connection.on('error', (error: Error) => onSocketError(error))
    this.closed = new Promise((resolve) => {
      connection.once('esl::end', () => resolve())
      connection.socket?.once('close', () => resolve())
    })
    this.hungUp = new Promise((resolve) => {
      connection.once(`esl::event::CHANNEL_HANGUP::${uuid}`, (event: Event) => resolve(event.getHeader('Hangup-Cause') ?? 'UNKNOWN'))
      connection.once('esl::event::disconnect::notice', () => resolve('SOCKET_DISCONNECTED'))
      void this.closed.then(() => resolve('SOCKET_CLOSED'))
    })
  }

  /** Sends an Event Socket command and fails on a `-ERR` reply. */
  command(command: string): Promise<Event> {
    return this.whileOpen(command, (settle) => this.connection.sendRecv(command, settle)).then((reply) => {
      const text = reply.getHeader('Reply-Text') ?? ''
      if (text.startsWith('-ERR')) throw new FreeswitchRefusedError(command, text)
      return reply
    })
  }

  /** Subscribes to this channel's events in plain format and keeps the socket open after hangup to get them all. */
  async subscribe(): Promise<void> {
    await this.command('myevents')
    await this.command(`event plain ${CHANNEL_EVENTS.join(' ')}`)
    await this.command('linger')
  }

  /** Runs an api command; resolves with its text response. */
  api(command: string, args: string): Promise<string> {
    return this.whileOpen(`api ${command}`, (settle) => this.connection.api(command, args, settle)).then((response) =>
      response.getBody().trim(),
    )
  }

  /** Runs an application on the channel; resolves with its CHANNEL_EXECUTE_COMPLETE. */
  execute(app: string, arg = ''): Promise<Event> {
    return this.whileOpen(app, (settle) => this.connection.execute(app, arg, settle))
  }

  /** Resolves with the next event of that name on this channel. */
  next(eventName: string): Promise<Event> {
    return new Promise((resolve) => this.connection.once(`esl::event::${eventName}::${this.uuid}`, resolve))
  }

  close(): void {
    if (this.connection.connected() && this.connection.socket !== null && !this.connection.socket.destroyed) this.connection.disconnect()
  }

  private whileOpen(what: string, send: (settle: (event: Event) => void) => void): Promise<Event> {
    return new Promise((resolve, reject) => {
      void this.closed.then(() => reject(new EventSocketClosedError(what)))
      if (this.connection.socket === null || this.connection.socket.destroyed) return
      send(resolve)
    })
  }
}
