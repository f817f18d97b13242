// The operator's Prometheus metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { InformerMetrics } from './informer.ts'

export interface OperatorMetrics {
  registry: Registry
  reconciles: Counter<'controller' | 'result'>
  reconcileSeconds: Histogram<'controller'>
  apiWrites: Counter<'method' | 'resource'>
  isLeader: Gauge
  siteHealth: Gauge<'site' | 'state'>
  failovers: Counter<'site'>
  failoverPhaseSeconds: Histogram<'phase'>
}

export function createMetrics(): OperatorMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'callcenter_operator_' })
  return {
    registry,
    reconciles: new Counter({
      name: 'callcenter_operator_reconciles_total',
      help: 'Reconciles by controller and result.',
      labelNames: ['controller', 'result'],
      registers: [registry],
    }),
    reconcileSeconds: new Histogram({
      name: 'callcenter_operator_reconcile_seconds',
      help: 'Time spent in one reconcile.',
      labelNames: ['controller'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    apiWrites: new Counter({
      name: 'callcenter_operator_api_writes_total',
      help: 'Requests to the Kubernetes API that change something, by method and resource.',
      labelNames: ['method', 'resource'],
      registers: [registry],
    }),
    isLeader: new Gauge({
      name: 'callcenter_operator_leader',
      help: '1 while this replica holds the leader lease.',
      registers: [registry],
    }),
    siteHealth: new Gauge({
      name: 'callcenter_operator_site_health',
      help: "1 for each site's current heartbeat state (Healthy, Suspect, Confirming, Failed, Recovering, Unknown), 0 for the others.",
      labelNames: ['site', 'state'],
      registers: [registry],
    }),
    failovers: new Counter({
      name: 'callcenter_operator_failovers_total',
      help: 'Failovers this operator flipped, by failed site.',
      labelNames: ['site'],
      registers: [registry],
    }),
    failoverPhaseSeconds: new Histogram({
      name: 'callcenter_operator_failover_phase_seconds',
      help: 'Seconds from the fault to each phase of a finished failover: confirmed, flipped, relogin_p99, completed.',
      labelNames: ['phase'],
      buckets: [0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120],
      registers: [registry],
    }),
  }
}

/** Exposes the informers' own counters (relists, watch restarts, events) as gauges read at scrape time. */
export function observeInformers(
  metrics: OperatorMetrics,
  informers: readonly { type: { plural: string }; metrics: InformerMetrics }[],
): void {
  const gauge = (name: string, help: string, read: (m: InformerMetrics) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['resource'],
      registers: [metrics.registry],
      collect() {
        for (const informer of informers) this.set({ resource: informer.type.plural }, read(informer.metrics))
      },
    })
  gauge('callcenter_operator_informer_relists', 'Full lists made by each informer (the first, and one per 410 Gone).', (m) => m.relists)
  gauge('callcenter_operator_informer_watch_restarts', 'Watches restarted after an error.', (m) => m.watchRestarts)
  gauge('callcenter_operator_informer_events', 'Watch and list events applied to the cache.', (m) => m.events)
}

/** Exposes each controller's work-queue depth (waiting plus in progress), read at scrape time. */
export function observeQueues(metrics: OperatorMetrics, controllers: readonly { name: string; queue: { depth: number } }[]): void {
  new Gauge({
    name: 'callcenter_operator_workqueue_depth',
    help: 'Keys waiting or being reconciled, by controller.',
    labelNames: ['controller'],
    registers: [metrics.registry],
    collect() {
      for (const controller of controllers) this.set({ controller: controller.name }, controller.queue.depth)
    },
  })
}

/** The resource segment of an API path, e.g. "sites/status" or "deployments". */
export function resourceOfPath(path: string): string {
  const segments = path.split('?')[0]?.split('/') ?? []
  const namespaced = segments.indexOf('namespaces')
  const rest = namespaced >= 0 ? segments.slice(namespaced + 2) : segments.slice(segments[1] === 'api' ? 3 : 4)
  return rest[2] ? `${rest[0] ?? ''}/${rest[2]}` : (rest[0] ?? '')
}
