// Prometheus figures of the edge agent: Kamailio JSON-RPC errors, routing changes applied, and the calls
// in progress this edge sent to each site (read from Kamailio's dialog profile at every scrape). Every
// series carries the edge's own `site`, as the login service's, the ACD's and the CTI bridge's do; the
// site calls went to is `to_site`.
import { Counter, Gauge, Registry } from 'prom-client'
import { KamailioRpc } from './rpc.ts'

export type RoutingChange = 'site_state' | 'destination_state' | 'dispatcher_list'

export interface EdgeAgentMetrics {
  registry: Registry
  rpcError(method: string): void
  routingChanged(kind: RoutingChange): void
  /** Where the calls in progress per site are read at each scrape (EdgeRouting.callsPerSite). */
  callsPerSite(read: () => Promise<Record<string, number>>): void
}

export function createEdgeAgentMetrics(site: string): EdgeAgentMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ site })
  const rpcErrors = new Counter({
    name: 'edge_rpc_errors_total',
    help: 'Kamailio JSON-RPC calls that failed: Kamailio unreachable, or it answered with an error (by method).',
    labelNames: ['method'],
    registers: [registry],
  })
  const changes = new Counter({
    name: 'edge_routing_changes_total',
    help: 'Routing changes applied to Kamailio: a site or destination set active or inactive, a dispatcher list reloaded.',
    labelNames: ['kind'],
    registers: [registry],
  })
  let read: () => Promise<Record<string, number>> = () => Promise.resolve({})
  new Gauge({
    name: 'edge_calls_in_progress',
    help: "Calls in progress this edge sent to each site's soft switches (Kamailio's dialog profile calls_to_site); none while Kamailio does not answer.",
    labelNames: ['to_site'],
    registers: [registry],
    async collect() {
      this.reset()
      let counts: Record<string, number>
      try {
        counts = await read()
      } catch {
        return // counted as an RPC error; no figure is better than a stale one
      }
      for (const [toSite, calls] of Object.entries(counts)) this.set({ to_site: toSite }, calls)
    },
  })
  return {
    registry,
    rpcError: (method) => rpcErrors.inc({ method }),
    routingChanged: (kind) => changes.inc({ kind }),
    callsPerSite: (reader) => {
      read = reader
    },
  }
}

/** A Kamailio JSON-RPC client that counts its failed calls. */
export class CountingKamailioRpc extends KamailioRpc {
  readonly #metrics: EdgeAgentMetrics

  constructor(options: ConstructorParameters<typeof KamailioRpc>[0], metrics: EdgeAgentMetrics) {
    super(options)
    this.#metrics = metrics
  }

  override async call(method: string, params: readonly (string | number)[] = []): Promise<unknown> {
    try {
      return await super.call(method, params)
    } catch (error) {
      this.#metrics.rpcError(method)
      throw error
    }
  }
}
