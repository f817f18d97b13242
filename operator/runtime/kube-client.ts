// A small client for the Kubernetes REST API: JSON requests and line-delimited watch streams over one
// keep-alive HTTPS agent. @kubernetes/client-node supplies configuration and authentication; the
// requests themselves are ours so that the reflector owns its list/watch loop (see DESIGN.md).
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https'
import { createInterface } from 'node:readline'
import type { IncomingMessage } from 'node:http'
import type { KubeConfig } from '@kubernetes/client-node'

export class ApiError extends Error {
  readonly status: number
  readonly reason: string
  constructor(status: number, reason: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.reason = reason
  }
}

export interface RequestOptionsJson {
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  contentType?: string
  signal?: AbortSignal
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  object: T
}

/** Counts the requests that change something, so a no-op resync can be shown to write nothing. */
export type WriteObserver = (method: string, path: string) => void

/** Says why a write may not be sent now (e.g. this replica no longer holds the leader lease), or undefined. */
export type WriteGuard = (method: string, path: string) => string | undefined

/** A write refused before it was sent, by the client's WriteGuard. */
export class WriteRefusedError extends Error {
  constructor(method: string, path: string, why: string) {
    super(`${method} ${path} not sent: ${why}`)
    this.name = 'WriteRefusedError'
  }
}

function withQuery(path: string, query: RequestOptionsJson['query']): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value))
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of response) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function apiErrorFrom(status: number, method: string, path: string, text: string): ApiError {
  let reason = ''
  let message = text.trim()
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string }
    reason = parsed.reason ?? ''
    message = parsed.message ?? message
  } catch {
    // not a Status object; keep the raw text
  }
  return new ApiError(status, reason, `${method} ${path}: ${status} ${reason}: ${message}`)
}

export class KubeClient {
  readonly server: URL
  private readonly kubeConfig: KubeConfig
  private agent: HttpsAgent | HttpAgent | undefined
  private readonly onWrite: WriteObserver | undefined
  private writeGuard: WriteGuard | undefined

  constructor(kubeConfig: KubeConfig, onWrite?: WriteObserver) {
    const cluster = kubeConfig.getCurrentCluster()
    if (!cluster) throw new Error('the kubeconfig has no current cluster: set a current context or KUBECONFIG')
    this.kubeConfig = kubeConfig
    this.server = new URL(cluster.server)
    this.onWrite = onWrite
  }

  private async options(method: string, path: string, headers: Record<string, string>): Promise<RequestOptions> {
    const options: RequestOptions = {}
    await this.kubeConfig.applyToHTTPSOptions(options)
    if (!this.agent) {
      this.agent =
        this.server.protocol === 'https:'
          ? new HttpsAgent({
              keepAlive: true,
              maxSockets: 64,
              ca: options.ca,
              cert: options.cert,
              key: options.key,
              rejectUnauthorized: options.rejectUnauthorized,
            })
          : new HttpAgent({ keepAlive: true, maxSockets: 64 })
    }
    return {
      ...options,
      agent: this.agent,
      method,
      hostname: this.server.hostname,
      port: this.server.port,
      path,
      headers: { ...(options.headers as Record<string, string> | undefined), accept: 'application/json', ...headers },
    }
  }

  /** Every later write (any method but GET) is first asked of `guard`, and refused if it says why. */
  guardWrites(guard: WriteGuard): void {
    this.writeGuard = guard
  }

  private async send(method: string, path: string, options: RequestOptionsJson): Promise<IncomingMessage> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }
    const requestOptions = await this.options(method, path, headers)
    const send = this.server.protocol === 'https:' ? httpsRequest : httpRequest
    if (method !== 'GET') {
      // Asked last, right before sending: nothing awaited after it can let leadership lapse unseen.
      const refused = this.writeGuard?.(method, path)
      if (refused !== undefined) throw new WriteRefusedError(method, path, refused)
      this.onWrite?.(method, path)
    }
    return new Promise((resolve, reject) => {
      const req = send({ ...requestOptions, signal: options.signal }, resolve)
      req.once('error', reject)
      req.end(body)
    })
  }

  /** Sends a request and returns the decoded JSON body; a status of 400 or more throws an ApiError. */
  async json<T>(method: string, path: string, options: RequestOptionsJson = {}): Promise<T> {
    const fullPath = withQuery(path, options.query)
    const response = await this.send(method, fullPath, options)
    const text = await readBody(response)
    const status = response.statusCode ?? 0
    if (status >= 400) throw apiErrorFrom(status, method, fullPath, text)
    return (text ? JSON.parse(text) : undefined) as T
  }

  /** Opens a watch and yields its events until the server ends it or the signal aborts it. */
  async *watch<T>(path: string, query: RequestOptionsJson['query'], signal: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    const fullPath = withQuery(path, { ...query, watch: true })
    const response = await this.send('GET', fullPath, { signal })
    const status = response.statusCode ?? 0
    if (status >= 400) throw apiErrorFrom(status, 'GET', fullPath, await readBody(response))
    const lines = createInterface({ input: response, crlfDelay: Infinity })
    try {
      for await (const line of lines) {
        if (line.trim()) yield JSON.parse(line) as WatchEvent<T>
      }
    } finally {
      lines.close()
      response.destroy()
    }
  }

  close(): void {
    this.agent?.destroy()
  }
}
