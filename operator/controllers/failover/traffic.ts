// I/O: moving traffic away from a failed site and back, and following the takeovers of its agents. All
// idempotent, so a restarted operator repeats them freely: an edge set inactive stays inactive, and a
// takeover asked for again with the same key is the one already started.
import type { RouteState } from '../../../workloads/edge/index.ts'
import { edgeStateChanges, type EdgeStateChange } from './edge-states.ts'
import type { FailoverIO } from './io.ts'
import type { SiteHeartbeat, Takeover } from './heartbeat-status.ts'
import type { TakeoverView } from './takeover-progress.ts'
import type { EdgeTarget, SiteTargets } from './targets.ts'

/** A routing change is worth waiting for longer than a probe: it is retried only at the next probe round. */
const EDGE_CHANGE_TIMEOUT_MS = 2000

export interface TrafficResult {
  /** Every surviving edge applied the change. */
  done: boolean
  failures: string[]
}

/** Sets the site's destinations at every surviving edge; an edge that has none for it has nothing to change. */
export async function setSiteAtSurvivors(
  site: string,
  state: RouteState,
  survivors: readonly SiteTargets[],
  io: Pick<FailoverIO, 'edge'>,
): Promise<TrafficResult> {
  const failures = (
    await Promise.all(
      survivors.flatMap((survivor) =>
        survivor.edges.map(async (edge) => {
          try {
            await io.edge(edge.control, EDGE_CHANGE_TIMEOUT_MS).setSiteState(site, state)
            return []
          } catch (error) {
            if ((error as Error).name === 'UnknownSiteError') return []
            return [`edge ${survivor.site}/${edge.name}: ${(error as Error).message}`]
          }
        }),
      ),
    )
  ).flat()
  return { done: failures.length === 0, failures }
}

/**
 * Reads every edge's destinations and corrects the ones that differ from `wanted` (edge-states.ts), which is
 * asked only after the reads, so a flip or restore made meanwhile is seen. An edge that cannot be read or
 * changed is told in `failures` and tried again at the next round.
 */
export async function convergeEdges(
  edges: readonly EdgeTarget[],
  wanted: () => ReadonlyMap<string, RouteState>,
  timeoutMs: number,
  io: Pick<FailoverIO, 'edge'>,
): Promise<{ changed: EdgeStateChange[]; failures: string[] }> {
  const failures: string[] = []
  const views = (
    await Promise.all(
      edges.map(async (edge) => {
        try {
          return [{ edge: edge.name, destinations: await io.edge(edge.control, timeoutMs).destinations() }]
        } catch (error) {
          failures.push(`edge ${edge.name}: ${(error as Error).message}`)
          return []
        }
      }),
    )
  ).flat()
  const changes = edgeStateChanges(views, wanted())
  const controls = new Map(edges.map((edge) => [edge.name, edge.control]))
  const changed = (
    await Promise.all(
      changes.map(async (change) => {
        const control = controls.get(change.edge)
        if (!control) return []
        try {
          await io.edge(control, EDGE_CHANGE_TIMEOUT_MS).setSiteState(change.site, change.state)
          return [change]
        } catch (error) {
          failures.push(`edge ${change.edge}, site ${change.site} ${change.state}: ${(error as Error).message}`)
          return []
        }
      }),
    )
  ).flat()
  return { changed, failures }
}

/**
 * Starts a takeover of the failed site's agents at every surviving login service not yet recorded as
 * asked. The failover's id is the idempotency key, so asking again (a start that failed, or one whose
 * answer an operator that died never heard) gets the takeover already started.
 */
export async function startTakeovers(
  failed: string,
  survivors: readonly SiteTargets[],
  started: readonly Takeover[],
  failoverId: string,
  io: Pick<FailoverIO, 'login'>,
): Promise<{ takeovers: Takeover[]; failures: string[] }> {
  const takeovers = [...started]
  const failures: string[] = []
  for (const survivor of survivors) {
    if (takeovers.some((t) => t.site === survivor.site)) continue
    try {
      takeovers.push({ site: survivor.site, id: await io.login.start(survivor.loginUrl, failed, failoverId) })
    } catch (error) {
      failures.push(`login ${survivor.site}: ${(error as Error).message}`)
    }
  }
  return { takeovers, failures }
}

/** GET {loginUrl}/v1/takeover/{id} of every takeover started; a login service that does not answer gives no view. */
export async function takeoverViews(
  heartbeat: SiteHeartbeat,
  survivors: readonly SiteTargets[],
  io: Pick<FailoverIO, 'login'>,
  onError: (survivor: string, error: Error) => void,
): Promise<TakeoverView[]> {
  const loginUrls = new Map(survivors.map((s) => [s.site, s.loginUrl]))
  const views = await Promise.all(
    heartbeat.takeovers.map(async (t) => {
      const url = loginUrls.get(t.site)
      if (!url) return []
      try {
        return [await io.login.report(url, t.id)]
      } catch (error) {
        onError(t.site, error as Error)
        return []
      }
    }),
  )
  return views.flat()
}
