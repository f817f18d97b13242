// I/O: one probe round of a Site's components, and the second opinion of the surviving sites' edges.
// Probes never throw (operator/failover/probes.ts); an unreachable surviving edge gives no opinion.
import type { ProbeResult } from '../../failover/probes.ts'
import { edgeSeesSiteDown } from './edge-view.ts'
import type { FailoverIO } from './io.ts'
import type { EdgeTarget, SiteTargets } from './targets.ts'
import type { ComponentProbe } from './verdict.ts'

const edgeProbeName = (edge: EdgeTarget) => `edge/${edge.name}`

/** The edges whose probe answered this round (probeSite's results). */
export function answeredEdges(edges: readonly EdgeTarget[], probes: readonly ComponentProbe[]): EdgeTarget[] {
  return edges.filter((edge) => probes.some((p) => p.name === edgeProbeName(edge) && p.reachable))
}

export async function probeSite(targets: SiteTargets, timeoutMs: number, io: Pick<FailoverIO, 'probes'>): Promise<ComponentProbe[]> {
  const { probes } = io
  const result = (name: string, group: ComponentProbe['group'], outcome: ProbeResult): ComponentProbe => ({
    name,
    group,
    reachable: outcome.ok,
    ...(outcome.error ? { message: outcome.error } : {}),
  })
  return Promise.all([
    ...targets.edges.map(async (edge) =>
      result(
        edgeProbeName(edge),
        'edge',
        edge.sip ? await probes.sip(edge.sip, timeoutMs) : await probes.http(edge.healthUrl ?? edge.control.url, timeoutMs),
      ),
    ),
    ...targets.softswitches.map(async (s) => result(`softswitch/${s.name}`, 'softswitch', await probes.sip(s, timeoutMs))),
    probes.http(targets.loginUrl, timeoutMs).then((outcome) => result('login', 'login', outcome)),
    probes.http(targets.acdUrl, timeoutMs).then((outcome) => result('acd', 'acd', outcome)),
  ])
}

/** The sources (`edge/<site>/<edge>`) whose Kamailio no longer has any of the suspect site's soft switches active. */
/** `planned`: the suspect site is drained or fenced on purpose (its hand-disabled destinations are no opinion). */
export async function edgesConfirmingDown(
  suspect: string,
  planned: boolean,
  survivors: readonly SiteTargets[],
  timeoutMs: number,
  io: Pick<FailoverIO, 'edge'>,
): Promise<string[]> {
  const views = await Promise.all(
    survivors.flatMap((site) =>
      site.edges.map(async (edge) => {
        try {
          return edgeSeesSiteDown(await io.edge(edge.control, timeoutMs).destinations(), suspect, planned)
            ? [`edge/${site.site}/${edge.name}`]
            : []
        } catch {
          return []
        }
      }),
    ),
  )
  return views.flat()
}
