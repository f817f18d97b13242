// Pure: the heartbeat record as it is kept in Site status.heartbeat, and back. Besides the state
// machine's record it holds the takeovers started for the current failover and which components the
// last probe round reached (why one was not goes to the log: error texts vary and would rewrite status).
import type { Site } from '../../../crds/types.ts'
import type { HeartbeatRecord } from '../../failover/heartbeat-types.ts'
import type { HeartbeatPolicy } from '../../failover/policy.ts'
import { initialHeartbeat } from '../../failover/state-machine.ts'
import type { ComponentProbe } from './verdict.ts'

export type HeartbeatStatus = NonNullable<NonNullable<Site['status']>['heartbeat']>
export type Takeover = NonNullable<HeartbeatStatus['takeovers']>[number]

export interface SiteHeartbeat {
  record: HeartbeatRecord
  takeovers: Takeover[]
  probes: ComponentProbe[]
}

export function heartbeatFromStatus(site: Site, now: Date): SiteHeartbeat {
  const saved = site.status?.heartbeat
  if (!saved) return { record: initialHeartbeat(now), takeovers: [], probes: [] }
  const { takeovers = [], probes = [], ...record } = saved
  return { record, takeovers, probes: probes.map((p) => ({ ...p, group: groupOf(p.name) })) }
}

/**
 * Counts past the thresholds change no decision of the state machine (it compares misses with
 * failureThreshold only while Healthy, successes with recoveryThreshold only while Recovering), so they
 * are capped there: a site that stays up, or stays unreachable, leaves its status still.
 */
export function capped(record: HeartbeatRecord, policy: HeartbeatPolicy): HeartbeatRecord {
  return {
    ...record,
    consecutiveMisses: Math.min(record.consecutiveMisses, policy.failureThreshold),
    consecutiveSuccesses: Math.min(record.consecutiveSuccesses, policy.recoveryThreshold),
  }
}

export function heartbeatStatus(heartbeat: SiteHeartbeat, policy: HeartbeatPolicy): HeartbeatStatus {
  const { record, takeovers, probes } = heartbeat
  return {
    ...capped(record, policy),
    ...(takeovers.length > 0 ? { takeovers } : {}),
    ...(probes.length > 0
      ? {
          probes: probes.map((p) => ({ name: p.name, reachable: p.reachable })),
        }
      : {}),
  }
}

function groupOf(name: string): ComponentProbe['group'] {
  const group = name.split('/')[0]
  return group === 'edge' || group === 'softswitch' || group === 'login' ? group : 'acd'
}
