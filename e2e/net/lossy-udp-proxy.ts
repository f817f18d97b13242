// A UDP proxy on loopback that loses and delays datagrams on their way to the target (e.g. SIP OPTIONS
// probes to an edge or soft switch). Each client address gets its own upstream socket, so the target's
// answers find their way back; answers are not touched, every request meets its fate (loss-plan.ts).
// SIP requests are readdressed to the target (sip-retarget.ts), as a plain network path would deliver them.
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { checkedProfile, count, emptyCounters, fateOf, type LossCounters, type LossProfile } from './loss-plan.ts'
import { retargetRequestLine } from './sip-retarget.ts'

export interface LossyUdpProxy {
  host: string
  port: number
  /** What the proxy did with the datagrams it received so far (a copy). */
  counters(): LossCounters
  close(): Promise<void>
}

export interface LossyUdpProxyOptions {
  target: { host: string; port: number }
  profile: LossProfile
  random: () => number
  /** A client address silent this long has its upstream socket closed; default 10 s. */
  idleMs?: number
}

interface Session {
  upstream: Socket
  idle: NodeJS.Timeout
}

export async function startLossyUdpProxy(options: LossyUdpProxyOptions): Promise<LossyUdpProxy> {
  const profile = checkedProfile(options.profile)
  const idleMs = options.idleMs ?? 10_000
  const counters = emptyCounters()
  const sessions = new Map<string, Session>()
  const pending = new Set<NodeJS.Timeout>()
  const front = createSocket('udp4')
  front.on('error', () => {}) // ICMP errors from a client that went away: nothing to do

  const endSession = (key: string) => {
    const session = sessions.get(key)
    if (!session) return
    sessions.delete(key)
    clearTimeout(session.idle)
    session.upstream.close()
  }

  const sessionFor = (address: string, port: number): Session => {
    const key = `${address}:${port}`
    const existing = sessions.get(key)
    if (existing) {
      existing.idle.refresh()
      return existing
    }
    const upstream = createSocket('udp4')
    upstream.on('error', () => {})
    upstream.on('message', (answer) => front.send(answer, port, address))
    const session = { upstream, idle: setTimeout(() => endSession(key), idleMs) }
    sessions.set(key, session)
    return session
  }

  front.bind(0, '127.0.0.1')
  await once(front, 'listening')
  const { address, port } = front.address()

  front.on('message', (datagram, from) => {
    const fate = fateOf(options.random, profile)
    count(counters, fate)
    if (fate.kind === 'drop') return
    const session = sessionFor(from.address, from.port)
    const request = retargetRequestLine(datagram.toString('latin1'), { host: address, port }, options.target)
    const timer = setTimeout(() => {
      pending.delete(timer)
      if (sessions.get(`${from.address}:${from.port}`) === session)
        session.upstream.send(Buffer.from(request, 'latin1'), options.target.port, options.target.host)
    }, fate.delayMs)
    pending.add(timer)
  })
  return {
    host: address,
    port,
    counters: () => ({ ...counters }),
    async close() {
      for (const timer of pending) clearTimeout(timer)
      for (const key of [...sessions.keys()]) endSession(key)
      await new Promise<void>((resolve) => front.close(() => resolve()))
    },
  }
}
