// A UDP proxy on loopback that a test can cut (a partition for SIP): while cut, every datagram is
// dropped in both directions, silently, as on a broken WAN link; heal() lets them through again. Each
// client address gets its own upstream socket, so the target's answers find their way back to it.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { once } from 'node:events'

export interface CuttableUdpProxy {
  host: string
  port: number
  cut(): void
  heal(): void
  /** Datagrams dropped while cut, both directions. */
  dropped(): number
  close(): Promise<void>
}

export interface CuttableUdpProxyOptions {
  target: { host: string; port: number }
  /** A client address silent this long has its upstream socket closed; default 30 s. */
  idleMs?: number
}

interface Session {
  upstream: Socket
  idle: NodeJS.Timeout
}

const HOST = '127.0.0.1'

export async function startCuttableUdpProxy(options: CuttableUdpProxyOptions): Promise<CuttableUdpProxy> {
  const idleMs = options.idleMs ?? 30_000
  const sessions = new Map<string, Session>()
  let isCut = false
  let dropped = 0
  const listener = createSocket('udp4')
  listener.on('error', () => undefined) // an ICMP "port unreachable" from a client is not the proxy's failure

  const endSession = (key: string) => {
    const session = sessions.get(key)
    if (session === undefined) return
    sessions.delete(key)
    clearTimeout(session.idle)
    session.upstream.close()
  }
  const sessionFor = (client: RemoteInfo): Session => {
    const key = `${client.address}:${client.port}`
    const existing = sessions.get(key)
    if (existing !== undefined) {
      existing.idle.refresh()
      return existing
    }
    const upstream = createSocket('udp4')
    upstream.on('error', () => undefined)
    upstream.on('message', (answer) => {
      if (isCut) dropped++
      else listener.send(answer, client.port, client.address)
    })
    upstream.bind(0, HOST)
    const session = { upstream, idle: setTimeout(() => endSession(key), idleMs) }
    session.idle.unref()
    sessions.set(key, session)
    return session
  }

  listener.on('message', (datagram, client) => {
    if (isCut) {
      dropped++
      return
    }
    sessionFor(client).upstream.send(datagram, options.target.port, options.target.host)
  })
  listener.bind(0, HOST)
  await once(listener, 'listening')
  return {
    host: HOST,
    port: listener.address().port,
    cut: () => void (isCut = true),
    heal: () => void (isCut = false),
    dropped: () => dropped,
    async close() {
      for (const key of [...sessions.keys()]) endSession(key)
      await new Promise<void>((resolve) => listener.close(() => resolve()))
    },
  }
}
