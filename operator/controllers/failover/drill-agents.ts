// I/O: a Site's drill agent (spec.drillAgent), reached with the bearer token from the Secret the Site
// names. The token is read per call (a rotated Secret is used at once) and never logged.
import type { Site } from '../../../crds/types.ts'
import type { DrillComponent, FaultAction } from '../../../workloads/drill-agent/agent.ts'
import { DrillAgentClient } from '../../../workloads/drill-agent/client.ts'
import { ApiError, type KubeClient } from '../../runtime/kube-client.ts'
import { coreTypes, objectPath } from '../../runtime/resource.ts'

export interface DrillAgents {
  /** Stops or starts a component at the site; false when the site runs no such component (nothing to do). */
  fault(site: Site, component: DrillComponent, action: FaultAction): Promise<boolean>
}

/** How long one stop or start may take at the agent (processes are stopped and started synchronously). */
const AGENT_TIMEOUT_MS = 60_000

export function secretDrillAgents(client: KubeClient): DrillAgents {
  const token = async (site: Site): Promise<string> => {
    const ref = site.spec.drillAgent?.tokenSecretRef
    if (ref === undefined) throw new Error(`site ${site.metadata.name} declares no spec.drillAgent`)
    const namespace = site.metadata.namespace ?? 'default'
    let secret: { data?: Record<string, string> }
    try {
      secret = await client.json('GET', objectPath(coreTypes.secret, namespace, ref.name))
    } catch (error) {
      if (error instanceof ApiError && error.status === 404)
        throw new Error(`the drill agent's Secret ${namespace}/${ref.name} does not exist`, { cause: error })
      throw error
    }
    const value = secret.data?.[ref.key]
    if (value === undefined) throw new Error(`the drill agent's Secret ${namespace}/${ref.name} has no key ${ref.key}`)
    return Buffer.from(value, 'base64').toString('utf8').trim()
  }
  return {
    async fault(site, component, action) {
      const url = site.spec.drillAgent?.url
      if (url === undefined) throw new Error(`site ${site.metadata.name} declares no spec.drillAgent`)
      const agent = new DrillAgentClient(url, await token(site), { timeoutMilliseconds: AGENT_TIMEOUT_MS })
      return (await agent.fault(component, action)).applied
    },
  }
}
