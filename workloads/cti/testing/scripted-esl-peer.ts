// A scripted stand-in for FreeSWITCH's side of an OUTBOUND Event Socket connection, for tests. It is
// not FreeSWITCH: it plays one channel, connects to the bridge the way the dialplan's
// `socket <bridge> async full` does, and speaks the real wire protocol as mod_event_socket does:
//   - answers `connect` with the channel data as URL-encoded headers plus
//     `Content-Type: command/reply`, `Socket-Mode: async`, `Control: full`;
//   - answers other commands with `Content-Type: command/reply` / `Reply-Text: +OK ...`;
//   - answers `api` with `Content-Type: api/response` and a `Content-Length` body;
//   - sends events the connection subscribed to (`event <format> ...`, `myevents`) as
//     `text/event-plain` (or `text/event-json`) with a `Content-Length` body;
//   - runs `sendmsg` executes as applications that end with CHANNEL_EXECUTE_COMPLETE carrying the
//     command's Event-UUID as Application-UUID.
// The test decides what the far end does: answer a bridge on one leg, let it ring out, hang up.
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'

export interface Execute {
  app: string
  arg: string
  eventUuid: string
}

/** The events `myevents` subscribes to in mod_event_socket. */
const MY_EVENTS = [
  'CHANNEL_ANSWER',
  'CHANNEL_APPLICATION',
  'CHANNEL_BRIDGE',
  'CHANNEL_CREATE',
  'CHANNEL_DATA',
  'CHANNEL_DESTROY',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_UUID',
  'CHANNEL_OUTGOING',
  'CHANNEL_PARK',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_STATE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_UNPARK',
  'DETECTED_SPEECH',
  'DTMF',
  'NOTALK',
  'TALK',
]

/** Applications that finish on their own right away; others (bridge, playback) run until the test or a break ends them. */
const INSTANT_APPS = new Set(['answer', 'set', 'export', 'pre_answer', 'ring_ready'])

function serializeHeaders(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${encodeURIComponent(value)}\n`)
    .join('')
}

/** Splits `[var=value,...]endpoint` legs of a dial string (after an optional `{...}` block). */
export function dialLegs(dialString: string): { variables: Record<string, string>; endpoint: string }[] {
  const withoutGlobal = dialString.replace(/^\{[^}]*\}/, '')
  return withoutGlobal.split(',').map((leg) => {
    const match = /^\[([^\]]*)\](.*)$/.exec(leg)
    const variables: Record<string, string> = {}
    for (const pair of (match?.[1] ?? '').split(',').filter((p) => p !== '')) {
      const [name, ...rest] = pair.split('=')
      variables[name ?? ''] = rest.join('=')
    }
    return { variables, endpoint: match?.[2] ?? leg }
  })
}

export class ScriptedEslPeer {
  readonly uuid: string
  readonly channelData: Record<string, string>
  /** Every command the bridge sent, first line only (e.g. `sendmsg <uuid>`, `api uuid_getvar ...`). */
  readonly commands: string[] = []
  /** Every application the bridge ran on the channel, in order. */
  readonly executes: Execute[] = []
  /** The format events are sent in, as the bridge last asked. */
  format: 'plain' | 'json' = 'plain'
  private readonly socket: Socket
  private buffer = ''
  private readonly subscribed = new Set<string>()
  private readonly running: Execute[] = []
  private readonly executeWaiters: { app: string; resolve: (execute: Execute) => void }[] = []
  /** Executes already handed to the test by waitForExecute. */
  private readonly claimed = new Set<Execute>()
  private readonly legVariables = new Map<string, Record<string, string>>()
  private hungUp = false

  private constructor(socket: Socket, uuid: string, channelData: Record<string, string>) {
    this.socket = socket
    this.uuid = uuid
    this.channelData = channelData
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => this.receive(chunk))
    socket.on('error', () => undefined)
  }

  /** Connects to the bridge as FreeSWITCH's `socket` application would, for a channel with these variables. */
  static async connect(
    port: number,
    call: { caller: string; called: string; variables: Record<string, string> },
  ): Promise<ScriptedEslPeer> {
    const uuid = randomUUID()
    const channelData: Record<string, string> = {
      'Event-Name': 'CHANNEL_DATA',
      'Core-UUID': 'scripted-core-0001',
      'FreeSWITCH-Hostname': 'scripted-peer',
      'Channel-State': 'CS_EXECUTE',
      'Channel-Call-State': 'RINGING',
      'Channel-Name': `sofia/external/${call.caller}@198.51.100.7`,
      'Unique-ID': uuid,
      'Call-Direction': 'inbound',
      'Answer-State': 'ringing',
      'Caller-Caller-ID-Number': call.caller,
      'Caller-Destination-Number': call.called,
      'Caller-Network-Addr': '198.51.100.7',
      'Caller-Unique-ID': uuid,
      ...Object.fromEntries(Object.entries(call.variables).map(([name, value]) => [`variable_${name}`, value])),
    }
    const socket = connect(port, '127.0.0.1')
    await once(socket, 'connect')
    return new ScriptedEslPeer(socket, uuid, channelData)
  }

  /** Resolves with the next (or an already running) execute of this application. */
  waitForExecute(app: string): Promise<Execute> {
    const running = this.running.find((execute) => execute.app === app && !this.claimed.has(execute))
    if (running !== undefined) {
      this.claimed.add(running)
      return Promise.resolve(running)
    }
    return new Promise((resolve) => this.executeWaiters.push({ app, resolve }))
  }

  /** A bridge leg answered: FreeSWITCH bridges the call to it (CHANNEL_BRIDGE on the caller's channel). */
  answerBridge(bridge: Execute, extension: string): string {
    const leg = dialLegs(bridge.arg).find(
      (candidate) => candidate.endpoint.endsWith(`/${extension}`) || candidate.endpoint.includes(`/${extension}@`),
    )
    if (leg === undefined) throw new Error(`the bridge ${JSON.stringify(bridge.arg)} does not ring extension ${extension}`)
    const otherLeg = randomUUID()
    this.legVariables.set(otherLeg, leg.variables)
    this.sendEvent('CHANNEL_BRIDGE', {
      'Bridge-A-Unique-ID': this.uuid,
      'Bridge-B-Unique-ID': otherLeg,
      'Other-Type': 'originatee',
      'Other-Leg-Unique-ID': otherLeg,
      'Other-Leg-Destination-Number': extension,
      'Other-Leg-Channel-Name': `sofia/internal/${extension}@192.0.2.10`,
    })
    return otherLeg
  }

  /** The application ends, e.g. a bridge nobody answered: `{ variable_originate_disposition: 'NO_ANSWER' }`. */
  completeExecute(execute: Execute, headers: Record<string, string> = {}, response = '_none_'): void {
    const at = this.running.indexOf(execute)
    if (at < 0) return
    this.running.splice(at, 1)
    this.sendEvent('CHANNEL_EXECUTE_COMPLETE', {
      Application: execute.app,
      'Application-Data': execute.arg,
      'Application-Response': response,
      'Application-UUID': execute.eventUuid,
      ...headers,
    })
  }

  /** The caller hangs up: CHANNEL_HANGUP, running applications end, the lingering socket gets its disconnect notice. */
  hangup(cause = 'NORMAL_CLEARING'): void {
    if (this.hungUp) return
    this.hungUp = true
    this.sendEvent('CHANNEL_UNBRIDGE', {})
    this.sendEvent('CHANNEL_HANGUP', { 'Hangup-Cause': cause, 'Channel-State': 'CS_HANGUP', 'Answer-State': 'hangup' })
    for (const execute of [...this.running]) this.completeExecute(execute, { variable_hangup_cause: cause })
    const notice = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n'
    this.write(
      `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${this.uuid}\nContent-Disposition: linger\nContent-Length: ${Buffer.byteLength(notice)}\n\n${notice}`,
    )
  }

  /** Whether the bridge closed the connection. */
  async closed(): Promise<void> {
    if (this.socket.destroyed || this.socket.readableEnded) return
    await once(this.socket, 'close')
  }

  destroy(): void {
    this.socket.destroy()
  }

  private write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text)
  }

  private receive(chunk: string): void {
    this.buffer += chunk
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const message = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + 2)
      const [command = '', ...headerLines] = message.split('\n')
      const headers: Record<string, string> = {}
      for (const line of headerLines) {
        const colon = line.indexOf(': ')
        if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 2)
      }
      this.commands.push(command)
      this.handle(command, headers)
    }
  }

  private reply(text: string): void {
    this.write(`Content-Type: command/reply\nReply-Text: ${text}\n\n`)
  }

  private apiResponse(body: string): void {
    this.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`)
  }

  private handle(command: string, headers: Record<string, string>): void {
    const [verb = '', ...args] = command.split(' ')
    switch (verb) {
      case 'connect':
        this.write(
          serializeHeaders({
            ...this.channelData,
            'Content-Type': 'command/reply',
            'Reply-Text': '+OK\n',
            'Socket-Mode': 'async',
            Control: 'full',
          }) + '\n',
        )
        return
      case 'myevents':
        for (const name of MY_EVENTS) this.subscribed.add(name)
        if (command.includes('json')) this.format = 'json'
        this.reply('+OK Events Enabled')
        return
      case 'event': {
        const [format, ...names] = args
        if (format === 'plain' || format === 'json') this.format = format
        else if (format !== undefined) names.unshift(format)
        for (const name of names) this.subscribed.add(name.toUpperCase())
        this.reply(`+OK event listener enabled ${this.format}`)
        return
      }
      case 'linger':
        this.reply('+OK will linger')
        return
      case 'sendmsg':
        this.reply('+OK')
        if (headers['call-command'] === 'execute') this.execute(headers)
        return
      case 'api':
        this.api(args)
        return
      case 'exit':
        this.reply('+OK bye')
        this.socket.end()
        return
      default:
        this.reply(`-ERR command not found`)
    }
  }

  private execute(headers: Record<string, string>): void {
    const execute: Execute = {
      app: headers['execute-app-name'] ?? '',
      arg: headers['execute-app-arg'] ?? '',
      eventUuid: headers['Event-UUID'] ?? '',
    }
    this.running.push(execute)
    this.executes.push(execute)
    this.sendEvent('CHANNEL_EXECUTE', { Application: execute.app, 'Application-Data': execute.arg, 'Application-UUID': execute.eventUuid })
    if (execute.app === 'answer') this.sendEvent('CHANNEL_ANSWER', { 'Answer-State': 'answered', 'Channel-Call-State': 'ACTIVE' })
    if (INSTANT_APPS.has(execute.app)) {
      this.completeExecute(execute, {}, execute.app === 'set' ? '_none_' : '+OK')
      return
    }
    if (execute.app === 'hangup') {
      this.completeExecute(execute)
      this.hangup(execute.arg === '' ? 'NORMAL_CLEARING' : execute.arg)
      return
    }
    const waiter = this.executeWaiters.findIndex((candidate) => candidate.app === execute.app)
    if (waiter >= 0) {
      const [found] = this.executeWaiters.splice(waiter, 1)
      this.claimed.add(execute)
      found?.resolve(execute)
    }
  }

  private api(args: string[]): void {
    const [name, target, variable] = args
    if (name === 'uuid_getvar') {
      this.apiResponse(this.legVariables.get(target ?? '')?.[variable ?? ''] ?? '_undef_')
    } else if (name === 'uuid_break') {
      for (const execute of this.running.filter((running) => running.app === 'playback')) this.completeExecute(execute, {}, 'FILE PLAYED')
      this.apiResponse('+OK')
    } else {
      this.apiResponse(`-ERR ${name ?? ''} Command not found!\n`)
    }
  }

  private sendEvent(name: string, headers: Record<string, string>): void {
    if (!this.subscribed.has(name) && !this.subscribed.has('ALL')) return
    const event: Record<string, string> = {
      'Event-Name': name,
      'Core-UUID': 'scripted-core-0001',
      'Event-Date-Timestamp': String(Date.now() * 1000),
      'Unique-ID': this.uuid,
      'Caller-Caller-ID-Number': this.channelData['Caller-Caller-ID-Number'] ?? '',
      ...headers,
    }
    const body = this.format === 'json' ? JSON.stringify(event) : serializeHeaders(event) + '\n'
    this.write(`Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-${this.format}\n\n${body}`)
  }
}
