// Tells the site's ACD who signed in and out (its contract: PUT/DELETE {acdUrl}/v1/agents/{agentId}).
// Best effort: a sign-in never waits for or fails because of the ACD; failures are logged.
import type { ProjectedSkill } from '../lib/projection/decode.ts'

export interface AcdAgent {
  site: string
  extension: string
  operatorId: number
  skills: ProjectedSkill[]
}

export interface AcdNotifier {
  signedIn(agentId: string, agent: AcdAgent): void
  signedOut(agentId: string): void
}

const TIMEOUT_MS = 2_000

export function createAcdNotifier(acdUrl: string | undefined, warn: (message: string) => void): AcdNotifier {
  if (!acdUrl) return { signedIn: () => undefined, signedOut: () => undefined }
  const base = acdUrl.replace(/\/+$/, '')
  const send = (method: 'PUT' | 'DELETE', agentId: string, body?: AcdAgent) => {
    const url = `${base}/v1/agents/${encodeURIComponent(agentId)}`
    fetch(url, {
      method,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    })
      .then(async (response) => {
        await response.body?.cancel()
        if (!response.ok && !(method === 'DELETE' && response.status === 404)) warn(`ACD ${method} ${url} answered ${response.status}`)
      })
      .catch((error: unknown) => {
        warn(`ACD ${method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`)
      })
  }
  return { signedIn: (agentId, agent) => send('PUT', agentId, agent), signedOut: (agentId) => send('DELETE', agentId) }
}
