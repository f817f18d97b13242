// Test fixtures for the failover controller's I/O (operator/controllers/failover/io.ts): an edge's
// destination, probes that fail for the targets named down, a status writer into the informers' stores,
// and the informers themselves without an API server.
import type { AgentSeat, Site, Trunk } from '../../../crds/types.ts'
import type { DestinationState, EdgeDestination } from '../../../workloads/edge/index.ts'
import { Informer } from '../../runtime/informer.ts'
import type { KubeClient } from '../../runtime/kube-client.ts'
import { silentLogger } from '../../runtime/log.ts'
import type { KubeObject } from '../../runtime/resource.ts'
import { indexes, types, type Cached } from '../kinds.ts'
import type { Probes, StatusWriter } from '../failover/io.ts'
import type { Informers } from '../validation.ts'

/** Soft switch `n` of `site` (`<site>-fs<n>`, as externalSite names it) as an edge sees it. */
export function softswitchDestination(site: string, state: DestinationState, n = 1): EdgeDestination {
  return { set: 1, uri: `sip:${site}-fs${n}:5060`, site, duid: `${site}-fs${n}`, state, probing: true, priority: 0, weight: 100 }
}

/**
 * Probes that time out for the SIP hosts and HTTP base URLs in `down`, and answer for every other. An
 * HTTP probe of /readyz (a Managed edge's agent) also fails for `<base URL>/readyz` in `down`: an agent
 * that runs but whose Kamailio does not answer.
 */
export function probesFailingFor(down: ReadonlySet<string>): Probes {
  const answer = (...targets: string[]) =>
    Promise.resolve(targets.some((t) => down.has(t)) ? { ok: false, latencyMs: 500, error: 'timeout' } : { ok: true, latencyMs: 1 })
  return {
    sip: (target) => answer(target.host),
    http: (baseUrl, _timeoutMs, path) => (path === '/readyz' ? answer(baseUrl, `${baseUrl}/readyz`) : answer(baseUrl)),
    esl: (target) => answer(`esl:${target.host}`),
  }
}

/** Writes status straight into the Site and Trunk stores, as the watch would show it. */
export function statusIntoStores(informers: Pick<Informers, 'sites' | 'trunks'>): StatusWriter {
  return {
    applyStatus: (_type, live, status) => {
      const store = (live.kind === 'Site' ? informers.sites.store : informers.trunks.store) as unknown as { upsert(o: KubeObject): void }
      store.upsert({ ...live, status: { ...live.status, ...status } } as KubeObject)
      return Promise.resolve(true)
    },
  }
}

/** The informers the failover controller reads, with no API server behind them: tests fill their stores. */
export function failoverInformers() {
  const client = null as unknown as KubeClient
  const informers = {
    sites: new Informer<Cached<Site>>(client, types.site, silentLogger),
    trunks: new Informer<Cached<Trunk>>(client, types.trunk, silentLogger),
    agentSeats: new Informer<Cached<AgentSeat>>(client, types.agentSeat, silentLogger),
  }
  informers.agentSeats.store.addIndex('homeSite', indexes.seatsByHomeSite)
  return informers
}
