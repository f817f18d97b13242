// I/O: one probe round of a Site's components, and the second opinion of the surviving sites' edges.
// Probes never throw (operator/failover/probes.ts); an unreachable surviving edge gives no opinion.
import type { ProbeResult } from '../../failover/probes.ts'
import { edgeSeesSiteDown } from './edge-view.ts'
import type { FailoverIO } from './io.ts'
import type { EdgeTarget, SiteTargets, SoftswitchTarget } from './targets.ts'
import type { ComponentProbe } from './verdict.ts'

const edgeProbeName = (edge: EdgeTarget) => `edge/${edge.name}`

/** The edges whose probe answered this round (probeSite's results). */
export function answeredEdges(edges: readonly EdgeTarget[], probes: readonly ComponentProbe[]): EdgeTarget[] {
  return edges.filter((edge) => probes.some((p) => p.name === edgeProbeName(edge) && p.reachable))
}

export async function probeSite(
  targets: SiteTargets,
  timeoutMs: number,
  io: Pick<FailoverIO, 'probes' | 'eslPassword'>,
): Promise<ComponentProbe[]> {
  const { probes } = io
  // FreeSWITCH answers its Event Socket only with its core up and the password right; where the password
  // cannot be read (no Secret yet, no RBAC), SIP OPTIONS still tell whether it runs.
  const probeSoftswitch = async (softswitch: SoftswitchTarget): Promise<ProbeResult> => {
    const password =
      softswitch.esl === undefined || io.eslPassword === undefined
        ? undefined
        : await io.eslPassword(targets.eslPassword.namespace, targets.eslPassword.secret).catch(() => undefined)
    return softswitch.esl !== undefined && password !== undefined
      ? probes.esl(softswitch.esl, password, timeoutMs)
      : probes.sip(softswitch, timeoutMs)
  }
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
        // External: SIP OPTIONS to Kamailio itself. Managed: the agent's /readyz, which asks its Kamailio.
        edge.sip ? await probes.sip(edge.sip, timeoutMs) : await probes.http(edge.control.url, timeoutMs, '/readyz'),
      ),
    ),
    ...targets.softswitches.map(async (s) => result(`softswitch/${s.name}`, 'softswitch', await probeSoftswitch(s))),
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
