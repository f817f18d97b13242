// Pure: what the failover controller probes and controls at a Site. External components at the
// addresses the Site gives; Managed ones at their in-cluster Services (a Managed edge runs with host
// networking and its Service carries only the edge agent's HTTP API, so it is probed and controlled
// through the agent).
import type { Site } from '../../../crds/types.ts'
import { PORTS, resourceName } from '../../render/site/index.ts'
import { softswitchAddresses } from '../site-objects.ts'

export interface SipTarget {
  name: string
  host: string
  port: number
}

/** How an edge's routing is changed: Kamailio's JSON-RPC directly, or the edge agent's HTTP API (Managed). */
export type EdgeControl = { kind: 'rpc'; url: string } | { kind: 'agent'; url: string }

export interface EdgeTarget {
  name: string
  /** SIP OPTIONS here (External); a Managed edge is probed at its agent's /healthz instead. */
  sip?: SipTarget
  healthUrl?: string
  control: EdgeControl
}

export interface SiteTargets {
  site: string
  edges: EdgeTarget[]
  softswitches: SipTarget[]
  loginUrl: string
  acdUrl: string
}

export function siteTargets(site: Site, clusterDomain: string): SiteTargets {
  const name = site.metadata.name
  const service = (component: 'edge' | 'login' | 'acd', port: number) =>
    `http://${resourceName(name, component)}.${site.metadata.namespace ?? 'default'}.svc.${clusterDomain}:${port}`
  const { edge, login, acd } = site.spec.components
  const edges: EdgeTarget[] =
    edge.mode === 'External'
      ? (edge.external?.servers ?? []).map((server) => ({
          name: server.name,
          sip: { name: server.name, host: server.host, port: server.sipPort ?? PORTS.sip },
          control: { kind: 'rpc', url: server.rpcUrl },
        }))
      : [
          {
            name: resourceName(name, 'edge'),
            healthUrl: service('edge', PORTS.edgeAgent),
            control: { kind: 'agent', url: service('edge', PORTS.edgeAgent) },
          },
        ]
  const httpUrl = (component: 'login' | 'acd', external: { url: string } | undefined) =>
    external?.url.replace(/\/+$/, '') ?? service(component, PORTS.http)
  return {
    site: name,
    edges,
    softswitches: softswitchAddresses([site], clusterDomain)[name] ?? [],
    loginUrl: httpUrl('login', login.mode === 'External' ? login.external : undefined),
    acdUrl: httpUrl('acd', acd.mode === 'External' ? acd.external : undefined),
  }
}
