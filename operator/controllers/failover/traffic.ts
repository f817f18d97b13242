// I/O: moving traffic away from a failed site and back. Both are idempotent, so a restarted operator
// repeats them freely: an edge set inactive stays inactive, and a surviving site whose takeover was
// already started (recorded in status) is not asked again.
import type { RouteState } from '../../../workloads/edge/index.ts'
import type { FailoverIO } from './io.ts'
import type { Takeover } from './heartbeat-status.ts'
import type { SiteTargets } from './targets.ts'

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

/** Starts a takeover of the failed site's agents at every surviving login service not yet asked. */
export async function startTakeovers(
  failed: string,
  survivors: readonly SiteTargets[],
  started: readonly Takeover[],
  io: Pick<FailoverIO, 'login'>,
): Promise<{ takeovers: Takeover[]; failures: string[] }> {
  const takeovers = [...started]
  const failures: string[] = []
  for (const survivor of survivors) {
    if (takeovers.some((t) => t.site === survivor.site)) continue
    try {
      takeovers.push({ site: survivor.site, id: await io.login.start(survivor.loginUrl, failed) })
    } catch (error) {
      failures.push(`login ${survivor.site}: ${(error as Error).message}`)
    }
  }
  return { takeovers, failures }
}
