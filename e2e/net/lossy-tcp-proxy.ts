// A TCP proxy on loopback that loses and delays what a client sends (e.g. HTTP health probes to a login
// service). TCP cannot lose bytes, so a lost burst (one write by the client: one small HTTP request)
// turns the connection into a black hole, as a stalled path looks from the client: nothing more is
// forwarded either way until the client gives up and closes. A delayed burst holds back everything
// after it too, so the stream stays in order. The target's answers are not touched.
import { createConnection, createServer, type Socket } from 'node:net'
import { checkedProfile, count, emptyCounters, fateOf, type LossCounters, type LossProfile } from './loss-plan.ts'

export interface LossyTcpProxy {
  host: string
  port: number
  /** http://host:port, for a URL that should go through the proxy. */
  url: string
  /** What the proxy did with the client's bursts so far (a copy). */
  counters(): LossCounters
  close(): Promise<void>
}

export interface LossyTcpProxyOptions {
  target: { host: string; port: number }
  profile: LossProfile
  random: () => number
}

export async function startLossyTcpProxy(options: LossyTcpProxyOptions): Promise<LossyTcpProxy> {
  const profile = checkedProfile(options.profile)
  const counters = emptyCounters()
  const sockets = new Set<Socket>()
  const pending = new Set<NodeJS.Timeout>()

  const server = createServer((client) => {
    const upstream = createConnection({ host: options.target.host, port: options.target.port })
    let blackholed = false
    let forwarding = Promise.resolve()
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => {
        sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    upstream.on('data', (answer: Buffer) => {
      if (!blackholed) client.write(answer)
    })
    client.on('data', (burst: Buffer) => {
      if (blackholed) return
      const fate = fateOf(options.random, profile)
      count(counters, fate)
      if (fate.kind === 'drop') {
        blackholed = true
        return
      }
      forwarding = forwarding.then(
        () =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              pending.delete(timer)
              if (!blackholed && !upstream.destroyed) upstream.write(burst)
              resolve()
            }, fate.delayMs)
            pending.add(timer)
          }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('lossy TCP proxy has no TCP address')
  return {
    host: address.address,
    port: address.port,
    url: `http://${address.address}:${address.port}`,
    counters: () => ({ ...counters }),
    async close() {
      for (const timer of pending) clearTimeout(timer)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
