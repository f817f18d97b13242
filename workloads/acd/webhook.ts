// Strategy Webhook: an external service picks the agent. The ACD posts the call and its candidates to
// spec.webhook.url and expects {"agentId": "..."} back within spec.webhook.timeoutMilliseconds; on a
// timeout, an error status, a malformed answer or an agent that is not a candidate, LongestIdle decides.
import type { Call, Candidate } from './model.ts'
import { longestIdle } from './strategies.ts'

export interface WebhookRequest {
  call: {
    callId: string
    skillGroup: string
    caller: string
    called: string
    priority: number
    waitedSeconds: number
    attributes: Call['attributes']
  }
  candidates: { agentId: string; proficiency: number; idleSeconds: number; callsTaken: number; talkSeconds: number }[]
}

export interface WebhookChoice {
  chosen: Candidate[]
  /** 'webhook', or why LongestIdle decided instead. */
  decidedBy: string
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 200

export function webhookRequest(call: Call, candidates: readonly Candidate[], now: number): WebhookRequest {
  return {
    call: {
      callId: call.callId,
      skillGroup: call.skillGroup,
      caller: call.caller,
      called: call.called,
      priority: call.priority,
      waitedSeconds: Math.floor((now - call.queuedAt) / 1000),
      attributes: call.attributes,
    },
    candidates: candidates.map((candidate) => ({
      agentId: candidate.agentId,
      proficiency: candidate.proficiency,
      idleSeconds: Math.floor((now - candidate.idleSince) / 1000),
      callsTaken: candidate.callsTaken,
      talkSeconds: Math.floor(candidate.talkMilliseconds / 1000),
    })),
  }
}

async function askForAgentId(url: string, timeoutMs: number, body: WebhookRequest): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!response.ok) throw new Error(`answered HTTP ${response.status}`)
  const answer = await response.json()
  const agentId = typeof answer === 'object' && answer !== null ? (answer as { agentId?: unknown }).agentId : undefined
  if (typeof agentId !== 'string') throw new Error('answered without a string agentId')
  return agentId
}

export async function chooseByWebhook(
  webhook: { url: string; timeoutMilliseconds?: number },
  call: Call,
  candidates: readonly Candidate[],
  now: number,
): Promise<WebhookChoice> {
  const timeoutMs = webhook.timeoutMilliseconds ?? DEFAULT_WEBHOOK_TIMEOUT_MS
  try {
    const agentId = await askForAgentId(webhook.url, timeoutMs, webhookRequest(call, candidates, now))
    const chosen = candidates.find((candidate) => candidate.agentId === agentId)
    if (chosen !== undefined) return { chosen: [chosen], decidedBy: 'webhook' }
    return { chosen: longestIdle(candidates), decidedBy: `LongestIdle: webhook chose ${agentId}, who is not a candidate` }
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String(error)
    return { chosen: longestIdle(candidates), decidedBy: `LongestIdle: webhook ${why}` }
  }
}
