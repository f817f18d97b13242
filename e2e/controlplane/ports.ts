import { createServer } from 'node:net'

// Ports handed out recently by this process; the OS may offer a just-closed port again,
// and two control planes starting at once in one process must not both take it.
const recentlyAllocated = new Set<number>()
const MAX_REMEMBERED = 512

/**
 * A loopback port that was free a moment ago. Another process can still take it before the
 * caller binds, so callers retry their start with fresh ports when a bind fails.
 */
export async function allocatePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await ephemeralPort()
    if (recentlyAllocated.has(port)) continue
    remember(port)
    return port
  }
  throw new Error('could not find a free loopback port after 20 attempts')
}

function remember(port: number): void {
  recentlyAllocated.add(port)
  if (recentlyAllocated.size > MAX_REMEMBERED) {
    const oldest = recentlyAllocated.values().next().value
    if (oldest !== undefined) recentlyAllocated.delete(oldest)
  }
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address()
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port)
        else reject(new Error('listening socket has no port'))
      })
    })
  })
}

/**
 * Runs `start` (which allocates its own ports) again with fresh ports when it failed because a
 * port was taken between allocation and bind.
 */
export async function retryOnPortConflict<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start()
    } catch (error) {
      const portTaken = error instanceof Error && /address already in use/i.test(error.message)
      if (!portTaken || attempt >= attempts) throw error
    }
  }
}
