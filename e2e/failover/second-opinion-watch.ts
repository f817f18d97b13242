// How a surviving edge sees a site over time: its Kamailio's dispatcher states for the site's soft
// switches, read every pollMs over JSON-RPC. That view is the failover controller's second opinion, so a
// soak reports how often it would have confirmed the site down (no destination of the site active).
import { EdgeRouting, KamailioRpc } from '../../workloads/edge/index.ts'

export interface SecondOpinionWatch {
  polls(): number
  /** Polls in which no destination of the site was active, by the states seen (e.g. "trying"). */
  notActive(): Record<string, number>
  stop(): void
}

export function watchSecondOpinion(rpcUrl: string, site: string, pollMs = 500): SecondOpinionWatch {
  const routing = new EdgeRouting({ rpc: new KamailioRpc({ url: rpcUrl, timeoutMilliseconds: pollMs }) })
  let polls = 0
  const notActive: Record<string, number> = {}
  const poll = async () => {
    const ofSite = (await routing.destinations()).filter((d) => d.site === site)
    polls++
    if (ofSite.length === 0 || ofSite.some((d) => d.state === 'active')) return
    const states = [...new Set(ofSite.map((d) => d.state))].sort().join('+')
    notActive[states] = (notActive[states] ?? 0) + 1
  }
  const timer = setInterval(() => {
    poll().catch(() => {}) // an edge too busy to answer in time gives no view this time
  }, pollMs)
  return {
    polls: () => polls,
    notActive: () => ({ ...notActive }),
    stop: () => clearInterval(timer),
  }
}
