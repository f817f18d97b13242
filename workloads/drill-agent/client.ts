// Client of the drill agent's HTTP API, for the operator. The token is sent, never put in an error.
import type { DrillComponent, FaultAction, FaultList, InjectedFault, NetworkAction, NetworkCut } from './agent.ts'

export class DrillAgentError extends Error {
  readonly status: number
  constructor(url: string, status: number, message: string) {
    super(`drill agent ${url}: ${status} ${message}`)
    this.name = 'DrillAgentError'
    this.status = status
  }
}

export interface FaultAnswer {
  /** false: the site runs no such component (the agent answered 404), so there is nothing to stop or start. */
  applied: boolean
  faults: InjectedFault[]
}

export class DrillAgentClient {
  readonly baseUrl: string
  readonly #token: string
  readonly #timeoutMilliseconds: number

  constructor(baseUrl: string, token: string, options: { timeoutMilliseconds?: number } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.#token = token
    this.#timeoutMilliseconds = options.timeoutMilliseconds ?? 60_000
  }

  async fault(component: DrillComponent, action: FaultAction): Promise<FaultAnswer> {
    try {
      const answer = await this.#request<{ faults: InjectedFault[] }>('POST', '/v1/faults', { component, action })
      return { applied: true, faults: answer.faults }
    } catch (error) {
      if (error instanceof DrillAgentError && error.status === 404) return { applied: false, faults: [] }
      throw error
    }
  }

  /**
   * Cuts this site off from its peer sites (healed by the agent itself after healAfterSeconds at the latest) or heals it.
   * applied false: the agent offers no network fault (it answered 404).
   */
  async network(action: NetworkAction, healAfterSeconds?: number): Promise<{ applied: boolean; cut?: NetworkCut }> {
    try {
      const body = { action, ...(healAfterSeconds === undefined ? {} : { healAfterSeconds }) }
      const answer = await this.#request<FaultList>('POST', '/v1/network', body)
      return { applied: true, ...(answer.network.cut ? { cut: answer.network.cut } : {}) }
    } catch (error) {
      if (error instanceof DrillAgentError && error.status === 404) return { applied: false }
      throw error
    }
  }

  /** What the agent can do and the faults injected now; an agent from before the network fault offers none. */
  async faults(): Promise<FaultList> {
    const answer = await this.#request<Omit<FaultList, 'network'> & Partial<Pick<FaultList, 'network'>>>('GET', '/v1/faults')
    return { ...answer, network: answer.network ?? { offered: false } }
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}${path}`
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.#timeoutMilliseconds),
    })
    const text = await response.text()
    let payload: { message?: string } = {}
    try {
      payload = JSON.parse(text) as { message?: string }
    } catch {
      // not JSON: the status text says enough
    }
    if (!response.ok) throw new DrillAgentError(url, response.status, payload.message ?? response.statusText)
    return payload as T
  }
}
