// Types for the parts of modesl (FreeSWITCH Event Socket library, plain JavaScript) the bridge uses.
declare module 'modesl' {
  import type { Server as NetServer, Socket } from 'node:net'

  export class Event {
    constructor(headers: Record<string, string>, body?: string)
    getHeader(name: string): string | null
    getBody(): string
    getType(): string
    headers: { name: string; value: string }[]
  }

  export class Connection {
    constructor(socket: Socket, ready?: () => void)
    /** An inbound connection to FreeSWITCH's Event Socket; ready is called once authenticated. */
    constructor(host: string, port: number, password: string, ready?: () => void)
    /** The CHANNEL_DATA of an outbound-socket connection (null on inbound ones). */
    getInfo(): Event | null
    sendRecv(command: string, callback?: (reply: Event) => void): void
    api(command: string, args: string, callback?: (response: Event) => void): void
    /** Runs a dialplan application on the connection's channel; the callback gets its CHANNEL_EXECUTE_COMPLETE. */
    execute(app: string, arg: string, callback?: (complete: Event) => void): string
    on(event: string, listener: (...args: never[]) => void): this
    once(event: string, listener: (...args: never[]) => void): this
    off(event: string, listener: (...args: never[]) => void): this
    disconnect(): void
    connected(): boolean
    socket: Socket | null
  }

  export class Server {
    constructor(options: { server: NetServer; myevents?: boolean }, ready?: () => void)
    on(event: 'connection::open' | 'connection::ready' | 'connection::close', listener: (connection: Connection, id: string) => void): this
    close(callback?: () => void): void
  }
}
