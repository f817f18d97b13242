// Pure: the heartbeat policy of a Site with the schema's defaults filled in, in milliseconds.
import type { Site } from '../../crds/types.ts'

export type HeartbeatSpec = NonNullable<Site['spec']['heartbeat']>

export interface HeartbeatPolicy {
  intervalMs: number
  timeoutMs: number
  failureThreshold: number
  confirmations: number
  recoveryThreshold: number
  minimumDwellMs: number
  failback: 'Manual' | 'Automatic'
}

/** Same values as the defaults in crds/schema/site.ts (a test keeps them in step). */
export function heartbeatPolicy(spec: HeartbeatSpec = {}): HeartbeatPolicy {
  return {
    intervalMs: spec.intervalMilliseconds ?? 1000,
    timeoutMs: spec.timeoutMilliseconds ?? 800,
    failureThreshold: spec.failureThreshold ?? 2,
    confirmations: spec.confirmations ?? 1,
    recoveryThreshold: spec.recoveryThreshold ?? 5,
    minimumDwellMs: (spec.minimumDwellSeconds ?? 30) * 1000,
    failback: spec.failback ?? 'Manual',
  }
}
