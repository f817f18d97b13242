// Test helper: loopback ports that are free for both UDP and TCP (SIP listens on both).
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { createServer } from 'node:net'

export const LOOPBACK = '127.0.0.1'

/** True when nothing on 127.0.0.1 holds this UDP port. */
async function udpFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4')
  try {
    socket.bind(port, LOOPBACK)
    await Promise.race([once(socket, 'listening'), once(socket, 'error').then(([error]) => Promise.reject(error as Error))])
    return true
  } catch {
    return false
  } finally {
    socket.close()
  }
}

/** A port no process on 127.0.0.1 uses for TCP or UDP right now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const server = createServer()
    server.listen(0, LOOPBACK)
    await once(server, 'listening')
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const udpAlsoFree = await udpFree(port)
    server.close()
    await once(server, 'close')
    if (port > 0 && udpAlsoFree) return port
  }
  throw new Error('found no loopback port free for both TCP and UDP after 50 attempts')
}
