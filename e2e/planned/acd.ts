// A site's ACD over its HTTP API, as the login service and the CTI bridge use it: what the planned
// switchover e2e needs to put an agent on a call the way the ACD sees it.
import type { Agent, Call } from '../../workloads/acd/model.ts'

async function request<T>(acdUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${acdUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${acdUrl}${path}: HTTP ${response.status} ${text}`)
  return JSON.parse(text) as T
}

export const acd = (acdUrl: string) => ({
  signIn: (
    agentId: string,
    body: { site: string; extension: string; operatorId: string; skills: { skillGroup: string; proficiency: number }[] },
  ) => request<Agent>(acdUrl, 'PUT', `/v1/agents/${agentId}`, body),
  agent: (agentId: string) => request<Agent>(acdUrl, 'GET', `/v1/agents/${agentId}`),
  queue: (callId: string, skillGroup: string, caller: string) => request<Call>(acdUrl, 'POST', '/v1/calls', { callId, skillGroup, caller }),
  answered: (reservationId: string, agentId: string) =>
    request<Call>(acdUrl, 'POST', `/v1/reservations/${encodeURIComponent(reservationId)}/answered`, { agentId }),
  ended: (callId: string) => request<Call>(acdUrl, 'POST', `/v1/calls/${encodeURIComponent(callId)}/ended`),
})
