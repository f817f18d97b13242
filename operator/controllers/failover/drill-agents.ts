// I/O: a Site's drill agent (spec.drillAgent), reached with the bearer token from the Secret the Site
// names. The token is read per call (a rotated Secret is used at once) and never logged.
import type { Site } from '../../../crds/types.ts'
import type { DrillComponent, FaultAction, NetworkAction } from '../../../workloads/drill-agent/agent.ts'
import { DrillAgentClient } from '../../../workloads/drill-agent/client.ts'
import type { KubeClient } from '../../runtime/kube-client.ts'
import { secretValue } from '../../runtime/secret-value.ts'

export interface DrillAgents {
  /** Stops or starts a component at the site; false when the site runs no such component (nothing to do). */
  fault(site: Site, component: DrillComponent, action: FaultAction): Promise<boolean>
  /**
   * Cuts the site off from its peer sites (the agent heals by itself after healAfterSeconds) or heals it; false when
   * the agent offers no network fault.
   */
  network(site: Site, action: NetworkAction, healAfterSeconds?: number): Promise<boolean>
  /** Whether the site's drill agent offers the network fault (GET /v1/faults). */
  offersNetwork(site: Site): Promise<boolean>
}

/** How long one stop or start may take at the agent (processes are stopped and started synchronously). */
const AGENT_TIMEOUT_MS = 60_000
/**
 * A cut or heal is a few firewall rules; waiting longer would hold up the site's heartbeat in a reconcile, and a
 * cut whose answer was lost in the partition is healed by the agent at its deadline anyway.
 */
const NETWORK_TIMEOUT_MS = 15_000
const QUESTION_TIMEOUT_MS = 10_000

export function secretDrillAgents(client: KubeClient): DrillAgents {
  const token = async (site: Site): Promise<string> => {
    const ref = site.spec.drillAgent?.tokenSecretRef
    if (ref === undefined) throw new Error(`site ${site.metadata.name} declares no spec.drillAgent`)
    return secretValue(client, site.metadata.namespace ?? 'default', ref, "the drill agent's")
  }
  const agentOf = async (site: Site, timeoutMilliseconds: number): Promise<DrillAgentClient> => {
    const url = site.spec.drillAgent?.url
    if (url === undefined) throw new Error(`site ${site.metadata.name} declares no spec.drillAgent`)
    return new DrillAgentClient(url, await token(site), { timeoutMilliseconds })
  }
  return {
    fault: async (site, component, action) => (await (await agentOf(site, AGENT_TIMEOUT_MS)).fault(component, action)).applied,
    network: async (site, action, healAfterSeconds) =>
      (await (await agentOf(site, NETWORK_TIMEOUT_MS)).network(action, healAfterSeconds)).applied,
    offersNetwork: async (site) => (await (await agentOf(site, QUESTION_TIMEOUT_MS)).faults()).network.offered,
  }
}
