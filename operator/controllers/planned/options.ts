// What the planned-switchover controllers share.
import type { EventRecorder } from '../../runtime/events.ts'
import type { Logger } from '../../runtime/log.ts'
import type { OperatorMetrics } from '../../runtime/metrics.ts'
import type { Informers } from '../validation.ts'
import type { EdgePodLookup } from '../failover/targets.ts'
import type { PlannedIO } from './io.ts'

export interface PlannedOptions {
  informers: Pick<Informers, 'sites' | 'skillGroups'>
  io: PlannedIO
  events: Pick<EventRecorder, 'record'>
  log: Logger
  metrics: OperatorMetrics
  clusterDomain: string
  /** The ready pods behind a Managed edge's agent Service, so that every edge pod is switched (failover/edge-pods.ts). */
  edgePods?: EdgePodLookup
  /** With --site: change only the own site's edges and start takeovers only at the own site's login service. */
  ownSite?: string
  /** How often a switchover in progress is checked again (edges, takeovers); default 10 s. */
  resyncMs?: number
}
