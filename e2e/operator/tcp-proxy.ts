// A TCP proxy in front of the apiserver that a test can cut: every open connection dropped mid-stream,
// or new connections refused for a while (a partition between the operator and the apiserver).
import { readFile, writeFile } from 'node:fs/promises'
import { createConnection, createServer, type Server, type Socket } from 'node:net'

export interface CuttableProxy {
  port: number
  /** Destroys every open connection (watches end mid-stream). */
  cut(): number
  /** While paused, new connections are closed at once. */
  pause(): void
  resume(): void
  close(): Promise<void>
  /** A copy of the kubeconfig whose server goes through the proxy. */
  kubeconfig(original: string, path: string): Promise<string>
}

export async function startProxy(target: URL): Promise<CuttableProxy> {
  const sockets = new Set<Socket>()
  let paused = false
  const server: Server = createServer((client) => {
    if (paused) {
      client.destroy()
      return
    }
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address')
  return {
    port: address.port,
    cut() {
      const count = sockets.size
      for (const socket of sockets) socket.destroy()
      return count
    },
    pause() {
      paused = true
    },
    resume() {
      paused = false
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    async kubeconfig(original, path) {
      const text = await readFile(original, 'utf8')
      await writeFile(path, text.replace(target.origin, `https://127.0.0.1:${address.port}`))
      return path
    },
  }
}
