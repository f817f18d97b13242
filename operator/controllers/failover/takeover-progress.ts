// Pure: how far the surviving login services' takeovers of a failed site's agents have come.
//
// The agents expected to move are the AgentSeats homed at the failed site; without any (agents known
// only to the login services), the standby connections the survivors instructed. An agent's re-login
// counts at the first site it signed in at. An agent that declined every takeover (its own site still
// served it: a partition, not a site loss) stayed; it is neither moved nor lost.
import type { AgentRelogin } from '../../failover/timeline.ts'

/** The part of a login service's GET /v1/takeover/{id} answer the controller reads (workloads/login/takeover.ts). */
export interface TakeoverView {
  startedAt: number
  instructed: number
  /** agentId -> milliseconds from startedAt to its re-login. */
  agents: Record<string, number>
  /** Agents that declined because their own site still answered (login services before this field: none). */
  declinedAgents?: string[]
  /** Agents told that have neither signed in nor declined yet (login services before this field: none). */
  pendingAgents?: string[]
}

export interface TakeoverProgress {
  agents: AgentRelogin[]
  complete: boolean
}

export function takeoverProgress(views: readonly TakeoverView[], expectedAgents: readonly string[]): TakeoverProgress {
  const signedIn = new Map<string, number>()
  for (const view of views) {
    for (const [agent, ms] of Object.entries(view.agents)) {
      const at = view.startedAt + ms
      const earlier = signedIn.get(agent)
      if (earlier === undefined || at < earlier) signedIn.set(agent, at)
    }
  }
  const declined = new Set(views.flatMap((view) => view.declinedAgents ?? []))
  const instructed = views.reduce((sum, v) => sum + v.instructed, 0)
  const expected = expectedAgents.length > 0 ? expectedAgents : [...signedIn.keys(), ...declined]
  const names = [...new Set([...expected, ...signedIn.keys()])].sort()
  const agents = names.map((agent): AgentRelogin => {
    const at = signedIn.get(agent)
    if (at !== undefined) return { agent, signedInAt: new Date(at).toISOString() }
    return declined.has(agent) ? { agent, stayed: true } : { agent }
  })
  const settled = (agent: string) => signedIn.has(agent) || declined.has(agent)
  const complete = expectedAgents.length > 0 ? expectedAgents.every(settled) : instructed > 0 && signedIn.size + declined.size >= instructed
  return { agents, complete }
}
