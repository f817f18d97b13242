// The CTI bridge server: FreeSWITCH's dialplan hands each queued call to it with
// `socket <bridge>:8084 async full` (one outbound Event Socket connection per call); modesl speaks the
// protocol and each connection becomes a call session.
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import esl from 'modesl'
import type { CallRecord } from './call-record.ts'
import { handleCall, type CallSessionDeps } from './call-session.ts'

export interface RunningBridge {
  host: string
  port: number
  /** Calls in progress. */
  active(): number
  /** Stops taking new calls and waits for those in progress to end. */
  close(): Promise<void>
}

export async function startBridge(
  host: string,
  port: number,
  deps: CallSessionDeps,
  onRecord?: (record: CallRecord) => void,
): Promise<RunningBridge> {
  const sockets = new Set<Socket>()
  const server = createServer()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.listen(port, host)
  await once(server, 'listening')
  const address = server.address()
  const boundPort = typeof address === 'object' && address !== null ? address.port : port
  const calls = new Set<Promise<unknown>>()
  const eslServer = new esl.Server({ server })
  // A caller who hangs up while FreeSWITCH connects closes the socket under modesl, which then emits
  // `error` (EPIPE): unheard, that would end the process and every call on it.
  eslServer.on('connection::open', (connection) => {
    connection.on('error', (error: Error) => {
      if (connection.getInfo() !== null) return
      deps.metrics.eslError('connection')
      deps.log.warn(`an Event Socket connection failed before its call was set up: ${error.message}`)
    })
  })
  deps.metrics.callsInProgress(() => calls.size)
  eslServer.on('connection::ready', (connection) => {
    const call = handleCall(connection, deps)
      .then((record) => {
        if (record !== undefined) onRecord?.(record)
      })
      .catch((error: unknown) => deps.log.warn(`a call failed in the bridge: ${String(error)}`))
      .finally(() => calls.delete(call))
    calls.add(call)
  })
  return {
    host,
    port: boundPort,
    active: () => calls.size,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve))
      await Promise.all(calls)
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}
