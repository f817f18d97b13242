// The login service's takeover API, as a failover controller calls it: the survivor tells the failed
// site's agents (over their standby connections) to sign in there, and reports each re-login.
import type { TakeoverReport } from '../../workloads/login/takeover.ts'

export interface StartedTakeover {
  id: string
  failedSite: string
  /** Epoch ms at the login service. */
  startedAt: number
}

export async function startTakeover(loginUrl: string, failedSite: string): Promise<StartedTakeover> {
  const response = await fetch(`${loginUrl}/v1/takeover`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ failedSite }),
    signal: AbortSignal.timeout(5_000),
  })
  if (response.status !== 202) throw new Error(`takeover of ${failedSite} at ${loginUrl}: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()) as StartedTakeover
}

export async function takeoverReport(loginUrl: string, id: string): Promise<TakeoverReport> {
  const response = await fetch(`${loginUrl}/v1/takeover/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(5_000) })
  if (!response.ok) throw new Error(`takeover ${id} at ${loginUrl}: HTTP ${response.status}`)
  return (await response.json()) as TakeoverReport
}
