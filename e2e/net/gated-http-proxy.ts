// An HTTP proxy on loopback that a test can gate per request: it forwards everything to the target
// unless the current gate refuses the request (e.g. a JSON-RPC method or a path) or holds its answer back
// (the target did the work; the caller has not heard yet), and keeps a log of what it forwarded and what
// it refused, so a test can count, say, how often a takeover was started.
import { createServer, type IncomingMessage } from 'node:http'

export interface SeenRequest {
  method: string
  path: string
  /** The JSON-RPC method, when the body is a JSON-RPC request. */
  rpcMethod?: string
}

/** Refuse with this HTTP status; or forward, but answer the caller only once `answerAfter` settles. */
export type GateVerdict = { refuse: number } | { answerAfter: Promise<void> }

/** Undefined forwards the request and answers at once. */
export type Gate = (request: SeenRequest) => GateVerdict | undefined

export interface GatedHttpProxy {
  /** The target URL with the proxy's origin (same path). */
  url: string
  forwarded: SeenRequest[]
  refused: SeenRequest[]
  setGate(gate: Gate | undefined): void
  close(): Promise<void>
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function rpcMethodOf(body: Buffer): string | undefined {
  if (body.length === 0) return undefined
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { method?: unknown }
    return typeof parsed.method === 'string' ? parsed.method : undefined
  } catch {
    return undefined
  }
}

export async function startGatedHttpProxy(target: string): Promise<GatedHttpProxy> {
  const targetUrl = new URL(target)
  const forwarded: SeenRequest[] = []
  const refused: SeenRequest[] = []
  let gate: Gate | undefined
  const server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request)
      const rpcMethod = rpcMethodOf(body)
      const seen: SeenRequest = { method: request.method ?? 'GET', path: request.url ?? '/', ...(rpcMethod ? { rpcMethod } : {}) }
      const verdict = gate?.(seen)
      if (verdict && 'refuse' in verdict) {
        refused.push(seen)
        // Plain text: neither a JSON-RPC answer nor a JSON body a client could take for success.
        response.writeHead(verdict.refuse, { 'content-type': 'text/plain' }).end('refused by the test gate')
        return
      }
      forwarded.push(seen)
      const contentType = request.headers['content-type']
      const answer = await fetch(`${targetUrl.origin}${seen.path}`, {
        method: seen.method,
        ...(contentType ? { headers: { 'content-type': contentType } } : {}),
        ...(body.length > 0 ? { body } : {}),
      })
      const content = Buffer.from(await answer.arrayBuffer())
      if (verdict) await verdict.answerAfter
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' }).end(content)
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ message: `proxy: ${(error as Error).message}` }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('gated HTTP proxy has no TCP address')
  return {
    url: `http://127.0.0.1:${address.port}${targetUrl.pathname.replace(/\/+$/, '')}`,
    forwarded,
    refused,
    setGate(next) {
      gate = next
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
