// The login service's HTTP API as the agent client calls it (undici: a takeover makes thousands of
// desktops call at once, and a simulation runs them in one process, where fetch costs several times as
// much CPU per call).
import { Agent, getGlobalDispatcher, request, type Dispatcher } from 'undici'
import type { SignInResult } from '../lib/protocol.ts'

export class LoginRefused extends Error {
  readonly status: number
  /** The login service's reason, e.g. unknown-account, pool-exhausted, token-expired. */
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'LoginRefused'
    this.status = status
    this.code = code
  }
}

// A takeover sends thousands of agents to one login service at once: it answers late, and an agent that gave up
// and asked again would only double its work (measured at 15,000 agents: two thirds of re-logins past 10 s).
export const LOGIN_TIMEOUT_MS = 30_000

export interface Credentials {
  account: string
  password: string
  pcHostName: string
}

export class LoginApi {
  private readonly dispatcher: Dispatcher

  /** `localAddress`: the desktop's own address, the one its connections leave from (default: the system's choice). */
  constructor(options: { localAddress?: string | undefined } = {}) {
    const { localAddress } = options
    // A client option, not a connect option: undici's connector takes the local address from the client only.
    this.dispatcher = localAddress === undefined ? getGlobalDispatcher() : new Agent({ localAddress })
  }

  signIn(baseUrl: string, credentials: Credentials, takeoverId?: string): Promise<SignInResult> {
    return this.call(`${baseUrl}/v1/signin`, { body: { ...credentials, ...(takeoverId ? { takeoverId } : {}) } })
  }

  relogin(baseUrl: string, token: string, takeoverId?: string): Promise<SignInResult> {
    return this.call(`${baseUrl}/v1/relogin`, { body: { token, ...(takeoverId ? { takeoverId } : {}) } })
  }

  signOut(baseUrl: string, token: string): Promise<{ ended: boolean }> {
    return this.call(`${baseUrl}/v1/signout`, { token })
  }

  private async call<T>(url: string, init: { body?: unknown; token?: string }): Promise<T> {
    const headers: Record<string, string> = {}
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
    const response = await request(url, {
      method: 'POST',
      headers,
      dispatcher: this.dispatcher,
      signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS),
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
    const payload = (await response.body.json().catch(() => ({}))) as Record<string, unknown>
    if (response.statusCode >= 300) {
      const code = typeof payload.error === 'string' ? payload.error : `http-${response.statusCode}`
      const message = typeof payload.message === 'string' ? payload.message : `${url} answered ${response.statusCode}`
      throw new LoginRefused(response.statusCode, code, message)
    }
    return payload as T
  }
}
