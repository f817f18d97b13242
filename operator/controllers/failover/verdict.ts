// Pure: one probe round of a Site's components -> the site-level heartbeat observation.
//
// The site counts as missed when its soft switches are all unreachable AND so is either every edge or
// the login service. The soft switches carry the calls: while one answers, the other sites' edges
// still reach it and Kamailio's per-call failover covers a lone edge or login outage, so moving every
// agent away would do more harm than the fault. A soft-switch outage alone is likewise left to the
// edges' own OPTIONS probing. The acd is probed and reported but does not decide.
export interface ComponentProbe {
  /** e.g. "edge/edge-1", "softswitch/fs-1", "login", "acd". */
  name: string
  group: 'edge' | 'softswitch' | 'login' | 'acd'
  reachable: boolean
  message?: string
}

export interface SiteVerdict {
  ok: boolean
}

export function siteVerdict(probes: readonly ComponentProbe[]): SiteVerdict {
  const allDown = (group: ComponentProbe['group']) => {
    const members = probes.filter((p) => p.group === group)
    return members.length > 0 && members.every((p) => !p.reachable)
  }
  const miss = allDown('softswitch') && (allDown('edge') || allDown('login'))
  return { ok: !miss }
}
