// A JSON-RPC 2.0 client for Kamailio's jsonrpcs module served over HTTP (xhttp).
export class EdgeRpcUnreachableError extends Error {
  constructor(url: string, method: string, cause: unknown) {
    const why = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)
    super(`Kamailio JSON-RPC at ${url} is unreachable (${method}: ${why}); the edge keeps its previous routing`, { cause })
    this.name = 'EdgeRpcUnreachableError'
  }
}

export class EdgeRpcError extends Error {
  readonly code: number
  constructor(url: string, method: string, code: number, message: string) {
    super(`Kamailio JSON-RPC ${method} at ${url} failed: ${code} ${message}`)
    this.name = 'EdgeRpcError'
    this.code = code
  }
}

interface RpcResponse {
  result?: unknown
  error?: { code?: number; message?: string }
}

export interface KamailioRpcOptions {
  /** e.g. http://127.0.0.1:5071/RPC (a Site's spec.components.edge.external.servers[].rpcUrl). */
  url: string
  timeoutMilliseconds?: number
}

export class KamailioRpc {
  readonly url: string
  readonly #timeoutMilliseconds: number
  #nextId = 1

  constructor(options: KamailioRpcOptions) {
    this.url = options.url
    this.#timeoutMilliseconds = options.timeoutMilliseconds ?? 2000
  }

  async call(method: string, params: readonly (string | number)[] = []): Promise<unknown> {
    const id = this.#nextId++
    let response: Response
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method, params, id }),
        signal: AbortSignal.timeout(this.#timeoutMilliseconds),
      })
    } catch (error) {
      throw new EdgeRpcUnreachableError(this.url, method, error)
    }
    const text = await response.text()
    let body: RpcResponse
    try {
      body = JSON.parse(text) as RpcResponse
    } catch {
      throw new EdgeRpcError(this.url, method, response.status, `answered with something other than JSON-RPC: ${text.slice(0, 200)}`)
    }
    if (body.error) throw new EdgeRpcError(this.url, method, body.error.code ?? response.status, body.error.message ?? 'unknown error')
    return body.result
  }
}
