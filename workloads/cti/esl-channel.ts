// Promise-shaped access to one call's outbound Event Socket connection (modesl): commands, api calls,
// applications, and the channel's events, which the bridge subscribes to in plain format.
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

export class EslChannel {
  readonly uuid: string
  /** Resolves with the hangup cause once the caller's channel hangs up or the socket closes. */
  readonly hungUp: Promise<string>
  private readonly connection: Connection

  constructor(connection: Connection, uuid: string) {
    this.connection = connection
    this.uuid = uuid
    this.hungUp = new Promise((resolve) => {
      connection.once(`esl::event::CHANNEL_HANGUP::${uuid}`, (event: Event) => resolve(event.getHeader('Hangup-Cause') ?? 'UNKNOWN'))
      connection.once('esl::event::disconnect::notice', () => resolve('SOCKET_DISCONNECTED'))
      connection.once('esl::end', () => resolve('SOCKET_CLOSED'))
    })
  }

  /** Sends an Event Socket command and fails on a `-ERR` reply. */
  command(command: string): Promise<Event> {
    return new Promise((resolve, reject) => {
      this.connection.sendRecv(command, (reply: Event) => {
        const text = reply.getHeader('Reply-Text') ?? ''
        if (text.startsWith('-ERR')) reject(new Error(`FreeSWITCH refused ${JSON.stringify(command)}: ${text}`))
        else resolve(reply)
      })
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
    return new Promise((resolve) => this.connection.api(command, args, (response: Event) => resolve(response.getBody().trim())))
  }

  /** Runs an application on the channel; resolves with its CHANNEL_EXECUTE_COMPLETE. */
  execute(app: string, arg = ''): Promise<Event> {
    return new Promise((resolve) => this.connection.execute(app, arg, resolve))
  }

  /** Resolves with the next event of that name on this channel. */
  next(eventName: string): Promise<Event> {
    return new Promise((resolve) => this.connection.once(`esl::event::${eventName}::${this.uuid}`, resolve))
  }

  close(): void {
    if (this.connection.connected()) this.connection.disconnect()
  }
}
