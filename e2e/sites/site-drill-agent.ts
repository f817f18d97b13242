// A harness site's drill agent: the library form of workloads/drill-agent on loopback, wired to the
// site's processes (stop = SIGKILL, start = spawn again on the same ports), and the Secret that holds its
// token, as a Site's spec.drillAgent names it.
import type { Site } from '../../crds/types.ts'
import { createDrillAgent, type ComponentControl, type DrillComponent } from '../../workloads/drill-agent/agent.ts'
import { NAMESPACE, type SiteName } from './manifests.ts'

export const DRILL_AGENT_TOKEN_KEY = 'token'

export interface SiteDrillAgent {
  url: string
  close(): Promise<void>
}

export async function startSiteDrillAgent(
  token: string,
  components: Partial<Record<DrillComponent, ComponentControl>>,
): Promise<SiteDrillAgent> {
  const app = createDrillAgent({ token, components })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url, close: () => app.close() }
}

export const drillAgentSecretName = (site: SiteName) => `${site}-drill-agent`

/** The Secret a Site's spec.drillAgent.tokenSecretRef names. */
export function drillAgentSecret(site: SiteName, token: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: drillAgentSecretName(site), namespace: NAMESPACE },
    type: 'Opaque',
    stringData: { [DRILL_AGENT_TOKEN_KEY]: token },
  }
}

export function withDrillAgent(site: Site, url: string): Site {
  const name = site.metadata.name as SiteName
  return {
    ...site,
    spec: { ...site.spec, drillAgent: { url, tokenSecretRef: { name: drillAgentSecretName(name), key: DRILL_AGENT_TOKEN_KEY } } },
  }
}
