// Pure: a Site's status from what the controller observed (problems, the workloads it provisioned).
import type { Site } from '../../crds/types.ts'
import { summarize, type Problem } from '../checks/problem.ts'
import { setConditions } from '../runtime/conditions.ts'
import { trafficInEffect } from './hold/effective.ts'

export const COMPONENTS = ['softswitch', 'edge', 'acd', 'login', 'cti'] as const
export type ComponentName = (typeof COMPONENTS)[number] | 'redis'

export interface WorkloadReadiness {
  component: ComponentName
  desired: number
  ready: number
}

export interface SiteObservation {
  problems: Problem[]
  /** Readiness of each Managed component's workload; External components are absent. */
  workloads: WorkloadReadiness[]
  agentsHomed: number
  /** Why the Site could not be provisioned although its own spec is fine (e.g. its edge cannot honour the Trunks). */
  provisioningError?: Problem
  /** A running drill (spec.drill) that holds these components at zero replicas (operator/failover/drill.ts). */
  drill?: { name: string; stopped: readonly ComponentName[] }
}

type SiteStatus = NonNullable<Site['status']>

export function siteStatus(site: Site, observed: SiteObservation, now: Date): SiteStatus {
  const problem = summarize(observed.problems)
  const managed = (name: ComponentName) => (name === 'redis' ? site.spec.redis.mode : site.spec.components[name].mode) === 'Managed'
  // A component a drill holds at zero replicas has all it is asked for (0/0), yet it serves nothing.
  const { drill } = observed
  const drilled = drill ? observed.workloads.filter((w) => drill.stopped.includes(w.component)).map((w) => w.component) : []
  const components = [...COMPONENTS, 'redis' as const].map((name) => {
    const workload = observed.workloads.find((w) => w.component === name)
    return {
      name,
      mode: managed(name) ? ('Managed' as const) : ('External' as const),
      health: 'Unknown' as const,
      ...(workload ? { ready: `${workload.ready}/${workload.desired}` } : {}),
      ...(drill && drilled.includes(name) ? { message: `stopped by drill ${drill.name}` } : {}),
    }
  })
  const notReady = observed.workloads.filter((w) => w.ready < w.desired || drilled.includes(w.component)).map((w) => w.component)
  const provisioned = !problem && !observed.provisioningError
  const ready = provisioned && notReady.length === 0
  const drillMessage = drill && drilled.length > 0 ? `drill ${drill.name} holds ${drilled.join(', ')} at 0 replicas` : undefined
  const shortOf = notReady.filter((component) => !drilled.includes(component))
  const notReadyMessage = [drillMessage, shortOf.length > 0 ? `not ready: ${shortOf.join(', ')}` : undefined].filter(Boolean).join('; ')
  const degraded = drilled.length > 0 || (notReady.length > 0 && observed.workloads.some((w) => w.ready > 0))
  const traffic = trafficInEffect(site)
  const phase =
    problem || observed.provisioningError
      ? 'Failed'
      : traffic === 'Fenced'
        ? 'Fenced'
        : traffic === 'Drain'
          ? 'Draining'
          : !provisioned
            ? 'Provisioning'
            : ready
              ? 'Ready'
              : degraded
                ? 'Degraded'
                : 'Provisioning'
  const conditions = setConditions(
    site.status?.conditions,
    [
      problem
        ? { type: 'Provisioned', status: 'False', reason: problem.reason, message: problem.message }
        : observed.provisioningError
          ? { type: 'Provisioned', status: 'False', reason: observed.provisioningError.reason, message: observed.provisioningError.message }
          : { type: 'Provisioned', status: 'True', reason: 'Applied', message: 'every Managed component is applied' },
      ready
        ? { type: 'Ready', status: 'True', reason: 'ComponentsReady', message: 'every Managed component is ready' }
        : {
            type: 'Ready',
            status: 'False',
            reason:
              (problem ?? observed.provisioningError)?.reason ??
              (drillMessage ? 'DrillStopped' : notReady.length ? 'ComponentsNotReady' : 'Provisioning'),
            message: (problem ?? observed.provisioningError)?.message ?? (notReady.length ? notReadyMessage : 'provisioning'),
          },
      degraded
        ? { type: 'Degraded', status: 'True', reason: drillMessage ? 'DrillStopped' : 'ComponentsNotReady', message: notReadyMessage }
        : { type: 'Degraded', status: 'False', reason: 'AsDesired', message: 'no component is short of replicas' },
    ],
    site.metadata.generation,
    now,
  )
  return {
    observedGeneration: site.metadata.generation ?? 0,
    phase,
    role: traffic === 'Active' ? 'Serving' : 'Drained',
    conditions,
    components,
    agents: { homed: observed.agentsHomed },
  }
}
