// Pure: how far a deleted Site is from losing its objects and its finalizer. Its deletion first waits for
// the hold controller (status.admitted.deletion; held while it is the last site serving), then its agents
// move to the other sites as with traffic Drain (its traffic in effect), until none is signed in there
// (status.agents.hosted, its login service's count, read every 10 s) or the drain timeout has passed since
// the deletion went ahead. A site whose login service never answered has no agent signed in to move, and
// in a teardown (every site of the namespace deleted) there is nowhere to move them.
import type { Site } from '../../../crds/types.ts'

export type DeletionStep =
  { kind: 'held' } | { kind: 'draining'; agents: number; checkAgainInMs: number } | { kind: 'cleanUp'; agentsLeft: number }

/** While draining, the step is looked at again at least this often (a change of status brings it back sooner). */
const CHECK_MS = 30_000

/** @param peersRemain whether a site of the namespace is not being deleted (somewhere for the agents to go). */
export function deletionStep(site: Site, now: Date, timeoutMs: number, peersRemain: boolean): DeletionStep {
  const wentAhead = site.status?.admitted?.deletion
  if (wentAhead === undefined) return { kind: 'held' }
  const agents = peersRemain ? (site.status?.agents?.hosted ?? 0) : 0
  const left = Date.parse(wentAhead) + timeoutMs - now.getTime()
  if (agents === 0 || left <= 0) return { kind: 'cleanUp', agentsLeft: agents }
  return { kind: 'draining', agents, checkAgainInMs: Math.min(CHECK_MS, left) }
}
