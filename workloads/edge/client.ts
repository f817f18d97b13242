// Client of the edge agent's HTTP API, for the operator.
import type { EdgeDestination } from './destinations.ts'
import type { RouteState } from './routing.ts'

export class EdgeAgentError extends Error {
  readonly status: number
  constructor(url: string, status: number, message: string) {
    super(`edge agent ${url}: ${status} ${message}`)
    this.name = 'EdgeAgentError'
    this.status = status
  }
}

export class EdgeAgentClient {
  readonly baseUrl: string
  readonly #timeoutMilliseconds: number

  constructor(baseUrl: string, options: { timeoutMilliseconds?: number } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '')
    this.#timeoutMilliseconds = options.timeoutMilliseconds ?? 5000
  }

  async destinations(): Promise<EdgeDestination[]> {
    return (await this.#request<{ destinations: EdgeDestination[] }>('GET', '/v1/destinations')).destinations
  }

  /** Calls in progress per destination site (GET /v1/calls). */
  async calls(): Promise<Record<string, number>> {
    return (await this.#request<{ calls: Record<string, number> }>('GET', '/v1/calls')).calls
  }

  async setSiteState(site: string, state: RouteState): Promise<EdgeDestination[]> {
    return (await this.#request<{ destinations: EdgeDestination[] }>('POST', `/v1/sites/${encodeURIComponent(site)}/state`, { state }))
      .destinations
  }

  async setDestinationState(uri: string, state: RouteState, set?: number): Promise<EdgeDestination[]> {
    const body = set === undefined ? { uri, state } : { uri, state, set }
    return (await this.#request<{ destinations: EdgeDestination[] }>('POST', '/v1/destinations/state', body)).destinations
  }

  async replaceDispatcherList(content: string): Promise<EdgeDestination[]> {
    return (await this.#request<{ destinations: EdgeDestination[] }>('PUT', '/v1/dispatcher-list', { content })).destinations
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}${path}`
    const response = await fetch(url, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.#timeoutMilliseconds),
    })
    const payload = (await response.json()) as T & { error?: string; message?: string }
    if (!response.ok) throw new EdgeAgentError(url, response.status, payload.error ?? payload.message ?? response.statusText)
    return payload
  }
}
